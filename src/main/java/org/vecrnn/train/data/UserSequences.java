package org.vecrnn.train.data;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.vecrnn.VecrnnException;
import org.vecrnn.io.SafeTensors;
import org.vecrnn.io.Tensor;
import org.vecrnn.model.Loss;
import org.vecrnn.model.Output;
import org.vecrnn.model.Topology;
import org.vecrnn.train.BatchedBptt;
import org.vecrnn.train.ParamBuffers;
import org.vecrnn.train.SequenceSet;
import org.vecrnn.train.Trainer;
import org.vecrnn.train.TrainingData;

/**
 * A user's own sequences, one example per CSV line or the x/y tensors of a safetensors file.
 * <ul>
 *   <li>many-to-one CSV: {@code label,x...}: an integer class 0..classes-1, then T·n inputs (T = (columns-1)/n);
 *       softmax + cross-entropy; the figure is the test accuracy.</li>
 *   <li>one-to-many CSV: {@code x_1..x_n} then T·k targets; identity + MSE; the figure is the test RMSE.</li>
 *   <li>safetensors: x [N,T,n] F32 and y [N,T,k] ([N,k] for many-to-one); output and loss as given
 *       (softmax + CE for many-to-one, identity + MSE otherwise, by default).</li>
 * </ul>
 * Without a test file the figure is computed on the validation split.
 */
public final class UserSequences implements Task {
    private final SequenceSet train, val, test;
    private final Output output;
    private final Loss loss;
    private final Topology topology;

    public UserSequences(SequenceSet[] trainVal, SequenceSet test, Output output, Loss loss) {
        this.train = trainVal[0];
        this.val = trainVal[1];
        this.test = test;
        this.output = output;
        this.loss = loss;
        this.topology = train.topology;
        loss.checkCompatible(output);
    }

    /** Many-to-one CSV: label then T·n inputs. */
    public static SequenceSet manyToOne(CsvTable t, int n, int classes, int d, int layers, int batch) {
        int inputs = t.columns() - 1;
        if (inputs < 1 || inputs % n != 0)
            throw new VecrnnException(t.name() + ": " + t.columns() + " columns: expected a label and T·n inputs with n=" + n + " (--features)");
        int T = inputs / n, N = t.rows();
        float[] x = new float[N * inputs], y = new float[N * classes];
        for (int r = 0; r < N; r++) {
            y[r * classes + t.label(r, 0, classes)] = 1;
            for (int c = 0; c < inputs; c++) x[r * inputs + c] = t.number(r, 1 + c);
        }
        return new SequenceSet(N, T, n, classes, Topology.MANY_TO_ONE, x, y, d, layers, batch, true);
    }

    /** One-to-many CSV: n inputs then T·k targets; later inputs are zero. */
    public static SequenceSet oneToMany(CsvTable t, int n, int k, int d, int layers, int batch) {
        int targets = t.columns() - n;
        if (targets < k || targets % k != 0)
            throw new VecrnnException(t.name() + ": " + t.columns() + " columns: expected n=" + n + " inputs (--features) and T·k targets with k=" + k + " (--outputs)");
        int T = targets / k, N = t.rows();
        float[] x = new float[N * T * n], y = new float[N * T * k];
        for (int r = 0; r < N; r++) {
            for (int c = 0; c < n; c++) x[r * T * n + c] = t.number(r, c);
            for (int c = 0; c < targets; c++) y[r * targets + c] = t.number(r, n + c);
        }
        return new SequenceSet(N, T, n, k, Topology.ONE_TO_MANY, x, y, d, layers, batch, true);
    }

    /** x [N,T,n] and y from a safetensors file, every shape checked. */
    public static SequenceSet safetensors(Path path, Topology top, int d, int layers, int batch) {
        try (SafeTensors st = SafeTensors.open(path)) {
            Tensor x = st.get("x");
            if (x.rank() != 3 || x.shape()[0] < 1 || x.shape()[1] < 1 || x.shape()[2] < 1)
                throw VecrnnException.inFile(path, "tensor 'x' has shape " + x.shapeString() + ", expected [N, T, n]");
            int N = Math.toIntExact(x.shape()[0]), T = Math.toIntExact(x.shape()[1]), n = Math.toIntExact(x.shape()[2]);
            Tensor y = st.get("y");
            int want = top == Topology.MANY_TO_ONE ? 2 : 3;
            if (y.rank() != want || y.shape()[0] != N || (want == 3 && y.shape()[1] != T) || y.shape()[want - 1] < 1)
                throw VecrnnException.inFile(path, "tensor 'y' has shape " + y.shapeString() + ", expected " + (want == 2 ? "[N, k]" : "[N, T, k]")
                        + " with N=" + N + (want == 3 ? " T=" + T : "") + " for " + top.id());
            int k = Math.toIntExact(y.shape()[want - 1]);
            float[] xs = st.floats("x", N, T, n), ys = want == 2 ? st.floats("y", N, k) : st.floats("y", N, T, k);
            finite(path, "x", xs);
            finite(path, "y", ys);
            return new SequenceSet(N, T, n, k, top, xs, ys, d, layers, batch, true);
        }
    }

    private static void finite(Path path, String name, float[] v) {
        for (int i = 0; i < v.length; i++) if (!Float.isFinite(v[i])) throw VecrnnException.inFile(path, "tensor '" + name + "' holds " + v[i] + " at index " + i);
    }

    @Override public String name() { return "user"; }
    @Override public TrainingData train() { return train; }
    @Override public TrainingData validation() { return val; }
    @Override public Output output() { return output; }
    @Override public Loss loss() { return loss; }

    @Override
    public String figure(BatchedBptt bptt, ParamBuffers params) {
        SequenceSet on = test != null ? test : val != null ? val : train;
        String where = test != null ? "test" : val != null ? "val" : "train";
        if (topology == Topology.MANY_TO_ONE && output == Output.SOFTMAX)
            return String.format(Locale.ROOT, "%s_accuracy=%.4f", where, Classification.accuracy(bptt, params, on));
        double perStep = Trainer.evaluate(bptt, params, on, loss);
        if (loss == Loss.MSE) return String.format(Locale.ROOT, "%s_rmse=%.6g", where, Math.sqrt(perStep / on.k));
        return String.format(Locale.ROOT, "%s_loss=%.6g", where, perStep);
    }

    @Override
    public Map<String, String> metadata() {
        return Map.of("task", "user", "topology", topology.id());
    }

    @Override
    public void close() {
        Task.super.close();
        if (test != null) test.close();
    }
}
