package org.vecrnn.train.data;

import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.vecrnn.model.Loss;
import org.vecrnn.model.Output;
import org.vecrnn.model.Topology;
import org.vecrnn.train.BatchedBptt;
import org.vecrnn.train.ParamBuffers;
import org.vecrnn.train.SequenceSet;
import org.vecrnn.train.Shuffle;
import org.vecrnn.train.TrainingData;

/**
 * The UCI optical digits (8×8 images, pixels 0..16) as sequences: 8 steps of one 8-pixel row each, scaled
 * by 1/16, many-to-one, 10 classes, softmax + cross-entropy. The fixed split of the bundled files is used
 * (1438 train, 359 test); an optional validation part is split off the training images by the seed.
 */
public final class Digits implements Task {
    static final int T = 8, N_IN = 8, K = 10;
    private final SequenceSet train, val, test;

    public Digits(int hidden, int layers, int batch, double valFraction, long seed) {
        SequenceSet all = read(Bundled.csv("digits_train.csv"), hidden, layers, batch);
        SequenceSet[] parts = split(all, valFraction, seed, batch);
        train = parts[0];
        val = parts[1];
        test = read(Bundled.csv("digits_test.csv"), hidden, layers, 512);
    }

    /** Images as sequences for inference: x [N, 8, 8] (pixels / 16) and the labels. */
    public record Images(int N, float[] x, int[] labels) {
        public static final int T = Digits.T, N_IN = Digits.N_IN, K = Digits.K;
    }

    /** The 359 bundled test images. */
    public static Images testImages() {
        CsvTable t = Bundled.csv("digits_test.csv");
        SequenceSet s = read(t, 1, 1, 1);
        int[] labels = new int[t.rows()];
        for (int r = 0; r < labels.length; r++) labels[r] = t.label(r, 0, K);
        return new Images(t.rows(), s.x(), labels);
    }

    /** label, then 64 pixels; checked cell by cell with file and line. */
    static SequenceSet read(CsvTable t, int hidden, int layers, int batch) {
        if (t.columns() != 1 + T * N_IN) throw new org.vecrnn.VecrnnException(t.name() + ": " + t.columns() + " columns, expected 65 (label and 64 pixels)");
        int N = t.rows();
        float[] x = new float[N * T * N_IN], y = new float[N * K];
        for (int r = 0; r < N; r++) {
            y[r * K + t.label(r, 0, K)] = 1;
            for (int p = 0; p < T * N_IN; p++) {
                float v = t.number(r, 1 + p);
                if (v < 0 || v > 16) throw t.error(r, "column " + (p + 2) + ": pixel " + v + " outside 0..16");
                x[r * T * N_IN + p] = v / 16f;
            }
        }
        return new SequenceSet(N, T, N_IN, K, Topology.MANY_TO_ONE, x, y, hidden, layers, batch, true);
    }

    /** A seeded random split: [train, validation or null]. */
    public static SequenceSet[] split(SequenceSet all, double valFraction, long seed, int batch) {
        int nVal = (int) Math.round(all.N * valFraction);
        if (nVal == 0) return new SequenceSet[] {all, null};
        int[] idx = new int[all.N];
        for (int i = 0; i < idx.length; i++) idx[i] = i;
        Shuffle.shuffle(idx, new Random(seed ^ 0x5eed5eedL));
        int[] v = java.util.Arrays.copyOfRange(idx, 0, nVal), tr = java.util.Arrays.copyOfRange(idx, nVal, idx.length);
        java.util.Arrays.sort(v);
        java.util.Arrays.sort(tr);
        return new SequenceSet[] {all.subset(tr, batch, true), all.subset(v, 512, false)};
    }

    @Override public String name() { return "digits"; }
    @Override public TrainingData train() { return train; }
    @Override public TrainingData validation() { return val; }
    @Override public Output output() { return Output.SOFTMAX; }
    @Override public Loss loss() { return Loss.CE; }

    @Override
    public String figure(BatchedBptt bptt, ParamBuffers params) {
        return String.format(Locale.ROOT, "test_accuracy=%.4f", Classification.accuracy(bptt, params, test));
    }

    @Override
    public Map<String, String> metadata() {
        return Map.of("task", "digits", "topology", "many-to-one", "input_scale", "0.0625");
    }

    @Override
    public void close() {
        Task.super.close();
        test.close();
    }
}
