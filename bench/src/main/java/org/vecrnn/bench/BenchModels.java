package org.vecrnn.bench;

import java.util.SplittableRandom;
import org.vecrnn.model.ElmanRnn;
import org.vecrnn.model.Output;
import org.vecrnn.train.Trainer;

final class BenchModels {
    private BenchModels() {}

    /** "128x256x16" -> {n, d, k}. */
    static int[] sizes(String s) {
        String[] p = s.split("x");
        return new int[] {Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2])};
    }

    /** PyTorch's default init (the trainer's), sigmoid head, fixed seed. */
    static ElmanRnn model(int n, int d, int k) {
        return ElmanRnn.of(n, d, k, Output.SIGMOID, Trainer.init(n, d, k, 42));
    }

    /** The stream benchmarks' inputs: count vectors of n values, input t drawn with seed t. */
    static float[][] inputs(int n, int count) {
        float[][] xs = new float[count][];
        for (int t = 0; t < count; t++) xs[t] = uniform(n, t);
        return xs;
    }

    static float[] uniform(int len, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[len];
        for (int i = 0; i < len; i++) a[i] = (float) r.nextDouble(-1, 1);
        return a;
    }
}
