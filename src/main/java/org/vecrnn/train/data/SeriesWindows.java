package org.vecrnn.train.data;

import org.vecrnn.model.Topology;
import org.vecrnn.train.Batch;
import org.vecrnn.train.Shuffle;
import org.vecrnn.train.TrainingData;

/**
 * Windows of a multivariate series for next-step forecasting: window i covers rows [i, i+T) as inputs and
 * rows [i+1, i+T+1) as targets, for window starts in [from, to). Rows have n values; the target is the next
 * row's first k = n values (the same quantities, one step ahead). Shuffled by seed and epoch when asked.
 * The first {@code burnIn} steps of a window carry no target: a window starts from h0 = 0 and cannot know
 * where in the (seasonal) cycle it is until it has seen a few steps, so their errors would only teach noise.
 */
final class SeriesWindows implements TrainingData {
    private final float[] rows;
    private final int n, from, to, T, d, layers, batchSize, burnIn;
    private final boolean shuffle;
    private final int[] order;
    private Batch full, last;

    SeriesWindows(float[] rows, int n, int from, int to, int T, int d, int layers, int batchSize, boolean shuffle, int burnIn) {
        if (burnIn < 0 || burnIn >= T) throw new IllegalArgumentException("burn-in " + burnIn + " outside 0.." + (T - 1));
        this.burnIn = burnIn;
        if (to <= from) throw new IllegalArgumentException("no windows of " + T + " steps fit the series");
        if (from < 0 || (long) (to - 1 + T + 1) * n > rows.length) throw new IllegalArgumentException("windows run past the series");
        this.rows = rows;
        this.n = n;
        this.from = from;
        this.to = to;
        this.T = T;
        this.d = d;
        this.layers = layers;
        this.batchSize = Math.min(batchSize, to - from);
        this.shuffle = shuffle;
        this.order = new int[to - from];
        for (int i = 0; i < order.length; i++) order[i] = from + i;
    }

    @Override public int n() { return n; }
    @Override public int k() { return n; }

    @Override
    public int batches() {
        return (order.length + batchSize - 1) / batchSize;
    }

    @Override
    public void startEpoch(int epoch, long seed) {
        for (int i = 0; i < order.length; i++) order[i] = from + i;
        if (shuffle) Shuffle.epoch(order, seed, epoch);
    }

    /** The first row of sequence s in batch i. */
    int start(int i, int s) {
        return order[i * batchSize + s];
    }

    @Override
    public Batch batch(int i) {
        int B = examples(i);
        Batch b;
        if (B == batchSize) b = full == null ? (full = new Batch(B, T, n, d, layers, n, Topology.MANY_TO_MANY)) : full;
        else b = last == null || last.B != B ? (last = new Batch(B, T, n, d, layers, n, Topology.MANY_TO_MANY)) : last;
        for (int s = 0; s < B; s++) {
            int start = start(i, s);
            for (int t = 0; t < T; t++) {
                b.setX(s, t, rows, (start + t) * n);
                b.setY(s, t, rows, (start + t + 1) * n);
            }
        }
        b.h0().fill((byte) 0);
        b.targetFrom(burnIn);
        return b;
    }

    @Override
    public int examples(int i) {
        return Math.min(batchSize, order.length - i * batchSize);
    }

    @Override
    public long targets(int i) {
        return (long) examples(i) * (T - burnIn);
    }

    @Override
    public void close() {
        if (full != null) full.close();
        if (last != null) last.close();
    }
}
