package org.vecrnn.train.data;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import org.vecrnn.VecrnnException;
import org.vecrnn.model.Loss;
import org.vecrnn.model.Output;
import org.vecrnn.model.Topology;
import org.vecrnn.train.Batch;
import org.vecrnn.train.BatchedBptt;
import org.vecrnn.train.ParamBuffers;
import org.vecrnn.train.SequenceSet;
import org.vecrnn.train.TrainingData;

/**
 * Many-to-one classification with 3 classes and one-hot targets, as the founding notes' activity example:
 * windows cut from a monthly series, each labelled by its trend: falling, level or rising. The label is the
 * least-squares slope of the window, cut at the terciles of the training windows' slopes (so the classes are
 * balanced and the majority class scores about a third). The network sees each window with its own mean
 * removed, scaled by the series' standard deviation: it must read the trend from the shape, not the level.
 *
 * <p>Chronological split: the first 80 % of the windows train, the last 20 % (none overlapping the training
 * ones) test. The figure is the test accuracy beside the majority-class rate, with the confusion matrix.
 */
public final class Trends implements Task {
    public static final String[] CLASSES = {"falling", "level", "rising"};
    static final int K = 3;

    private final SequenceSet train, test;
    private final int window;
    private final double[] cuts;
    private final float sd;

    public Trends(Path series, int window, int stride, int hidden, int layers, int batch) {
        if (window < 3 || stride < 1) throw new IllegalArgumentException("trends need a window of at least 3 and a stride of at least 1");
        CsvTable t = CsvTable.read(series);
        int col = t.columns() == 1 ? 0 : t.column("value");
        float[] v = new float[t.rows()];
        for (int r = 0; r < v.length; r++) v[r] = t.number(r, col);
        int windows = (v.length - window) / stride + 1;
        if (windows < 20) throw new VecrnnException(series + ": " + v.length + " values make only " + Math.max(windows, 0)
                + " windows of " + window + "; trends need at least 20");
        int nTrain = (int) Math.round(windows * 0.8);
        int firstTest = nTrain;
        // no test window may share a month with a training window
        while (firstTest < windows && firstTest * stride < (nTrain - 1) * stride + window) firstTest++;
        if (windows - firstTest < 5) throw new VecrnnException(series + ": too short to keep test windows apart from training windows");
        double sd = std(v, 0, (nTrain - 1) * stride + window);
        this.sd = (float) sd;
        double[] slopes = new double[windows];
        for (int w = 0; w < windows; w++) slopes[w] = slope(v, w * stride, window);
        double[] sorted = Arrays.copyOf(slopes, nTrain);
        Arrays.sort(sorted);
        this.cuts = new double[] {sorted[nTrain / 3], sorted[2 * nTrain / 3]};
        this.window = window;
        this.train = windows(v, slopes, 0, nTrain, stride, sd, hidden, layers, batch, true);
        this.test = windows(v, slopes, firstTest, windows, stride, sd, hidden, layers, 512, false);
    }

    private SequenceSet windows(float[] v, double[] slopes, int from, int to, int stride, double sd, int hidden, int layers, int batch, boolean shuffle) {
        int N = to - from;
        float[] x = new float[N * window], y = new float[N * K];
        for (int i = 0; i < N; i++) {
            int start = (from + i) * stride;
            double mean = 0;
            for (int s = 0; s < window; s++) mean += v[start + s];
            mean /= window;
            for (int s = 0; s < window; s++) x[i * window + s] = (float) ((v[start + s] - mean) / sd);
            y[i * K + label(slopes[from + i])] = 1;
        }
        return new SequenceSet(N, window, 1, K, Topology.MANY_TO_ONE, x, y, hidden, layers, batch, shuffle);
    }

    int label(double slope) {
        return slope < cuts[0] ? 0 : slope < cuts[1] ? 1 : 2;
    }

    static double slope(float[] v, int start, int len) {
        double tMean = (len - 1) / 2.0, vMean = 0;
        for (int s = 0; s < len; s++) vMean += v[start + s];
        vMean /= len;
        double num = 0, den = 0;
        for (int s = 0; s < len; s++) {
            num += (s - tMean) * (v[start + s] - vMean);
            den += (s - tMean) * (s - tMean);
        }
        return num / den;
    }

    static double std(float[] v, int from, int to) {
        double m = 0, q = 0;
        for (int i = from; i < to; i++) m += v[i];
        m /= to - from;
        for (int i = from; i < to; i++) q += (v[i] - m) * (v[i] - m);
        return Math.max(Math.sqrt(q / (to - from)), 1e-12);
    }

    /** confusion[true][predicted] on the test windows. */
    public long[][] confusion(BatchedBptt bptt, ParamBuffers params) {
        long[][] c = new long[K][K];
        test.startEpoch(0, 0);
        for (int i = 0; i < test.batches(); i++) {
            Batch b = test.batch(i);
            bptt.forward(params, b);
            for (int s = 0; s < b.B; s++) {
                long row = ((long) (b.T - 1) * b.B + s) * K;
                c[Classification.argmax(b.y(), (long) s * K, K)][Classification.argmax(bptt.o(), row, K)]++;
            }
        }
        return c;
    }

    /** The confusion matrix as text, rows the true class. */
    public static String table(long[][] c) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-16s%10s%10s%10s%n", "true \\ predicted", CLASSES[0], CLASSES[1], CLASSES[2]));
        for (int i = 0; i < K; i++) sb.append(String.format(Locale.ROOT, "%-16s%10d%10d%10d%n", CLASSES[i], c[i][0], c[i][1], c[i][2]));
        return sb.toString();
    }

    @Override public String name() { return "trends"; }
    @Override public TrainingData train() { return train; }
    @Override public TrainingData validation() { return null; }
    @Override public Output output() { return Output.SOFTMAX; }
    @Override public Loss loss() { return Loss.CE; }

    @Override
    public String figure(BatchedBptt bptt, ParamBuffers params) {
        long[][] c = confusion(bptt, params);
        long right = 0, total = 0, biggest = 0;
        for (int i = 0; i < K; i++) {
            long row = 0;
            for (int j = 0; j < K; j++) {
                row += c[i][j];
                if (i == j) right += c[i][j];
            }
            total += row;
            biggest = Math.max(biggest, row);
        }
        return table(c) + String.format(Locale.ROOT, "test_accuracy=%.4f majority_class=%.4f", (double) right / total, (double) biggest / total);
    }

    @Override
    public Map<String, String> metadata() {
        return Map.of("task", "trends", "topology", "many-to-one", "classes", String.join(" ", CLASSES),
                "window", Integer.toString(window), "slope_cuts", cuts[0] + " " + cuts[1],
                "input", "centred (each window minus its own mean, divided by std)", "std", Float.toString(sd));
    }

    @Override
    public void close() {
        Task.super.close();
        test.close();
    }
}
