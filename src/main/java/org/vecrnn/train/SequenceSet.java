package org.vecrnn.train;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.vecrnn.model.Topology;

/**
 * N sequences of T steps held in batch-major heap arrays (x [N,T,n], y [N,T,k] or [N,k] for many-to-one),
 * served as shuffled mini-batches of {@code batchSize} (the last one smaller), for a model of {@code layers}
 * layers of d units. h0 is zero.
 */
public final class SequenceSet implements TrainingData {
    public final int N, T, n, d, layers, k, batchSize;
    public final Topology topology;
    private final float[] x, y;
    private final int[] order;
    private final boolean shuffle;
    private Batch full, last;
    private float[] xStage = new float[0], yStage = new float[0];

    /** Sequences for a one-layer model. */
    public SequenceSet(int N, int T, int n, int k, Topology topology, float[] x, float[] y, int d, int batchSize, boolean shuffle) {
        this(N, T, n, k, topology, x, y, d, 1, batchSize, shuffle);
    }

    public SequenceSet(int N, int T, int n, int k, Topology topology, float[] x, float[] y, int d, int layers, int batchSize, boolean shuffle) {
        if (N < 1 || T < 1 || n < 1 || k < 1 || d < 1 || layers < 1 || batchSize < 1)
            throw new IllegalArgumentException("sizes must be positive: N=" + N + " T=" + T + " n=" + n + " k=" + k + " d=" + d
                    + " layers=" + layers + " batch=" + batchSize);
        if (x.length != (long) N * T * n) throw new IllegalArgumentException("x has " + x.length + " values, expected N·T·n = " + (long) N * T * n);
        long ySize = (topology == Topology.MANY_TO_ONE ? (long) N : (long) N * T) * k;
        if (y.length != ySize) throw new IllegalArgumentException("y has " + y.length + " values, expected " + ySize);
        this.N = N;
        this.T = T;
        this.n = n;
        this.k = k;
        this.d = d;
        this.layers = layers;
        this.topology = topology;
        this.x = x;
        this.y = y;
        this.batchSize = Math.min(batchSize, N);
        this.shuffle = shuffle;
        this.order = new int[N];
        for (int i = 0; i < N; i++) order[i] = i;
    }

    /** The examples at {@code indices}, in that order, as a new set (for validation splits). */
    public SequenceSet subset(int[] indices, int batchSize, boolean shuffle) {
        float[] xs = new float[indices.length * T * n];
        int yw = topology == Topology.MANY_TO_ONE ? k : T * k;
        float[] ys = new float[indices.length * yw];
        for (int i = 0; i < indices.length; i++) {
            System.arraycopy(x, indices[i] * T * n, xs, i * T * n, T * n);
            System.arraycopy(y, indices[i] * yw, ys, i * yw, yw);
        }
        return new SequenceSet(indices.length, T, n, k, topology, xs, ys, d, layers, batchSize, shuffle);
    }

    /** The inputs [N, T, n] (not a copy). */
    public float[] x() { return x; }

    @Override public int n() { return n; }
    @Override public int k() { return k; }

    @Override
    public int batches() {
        return (N + batchSize - 1) / batchSize;
    }

    @Override
    public void startEpoch(int epoch, long seed) {
        for (int i = 0; i < N; i++) order[i] = i;
        if (shuffle) Shuffle.epoch(order, seed, epoch);
    }

    @Override
    public Batch batch(int i) {
        int from = i * batchSize, B = Math.min(batchSize, N - from);
        Batch b;
        if (B == batchSize) b = full == null ? (full = new Batch(B, T, n, d, layers, k, topology)) : full;
        else b = last == null || last.B != B ? (last = new Batch(B, T, n, d, layers, k, topology)) : last;
        int yw = topology == Topology.MANY_TO_ONE ? k : T * k;
        boolean m2o = topology == Topology.MANY_TO_ONE;
        // gather into time-major heap arrays with System.arraycopy, then one bulk copy each: cheap even
        // before the JIT has compiled this (one segment copy per step and sequence was not)
        int xLen = B * T * n, yLen = (m2o ? B : B * T) * k;
        if (xStage.length < xLen) xStage = new float[xLen];
        if (yStage.length < yLen) yStage = new float[yLen];
        for (int s = 0; s < B; s++) {
            int e = order[from + s];
            for (int t = 0; t < T; t++) {
                System.arraycopy(x, (e * T + t) * n, xStage, (t * B + s) * n, n);
                if (!m2o) System.arraycopy(y, e * yw + t * k, yStage, (t * B + s) * k, k);
            }
            if (m2o) System.arraycopy(y, e * yw, yStage, s * k, k);
        }
        MemorySegment.copy(xStage, 0, b.x(), ValueLayout.JAVA_FLOAT, 0, xLen);
        MemorySegment.copy(yStage, 0, b.y(), ValueLayout.JAVA_FLOAT, 0, yLen);
        b.h0().fill((byte) 0);
        return b;
    }

    @Override
    public int examples(int i) {
        return Math.min(batchSize, N - i * batchSize);
    }

    @Override
    public long targets(int i) {
        return (long) examples(i) * (topology == Topology.MANY_TO_ONE ? 1 : T);
    }

    @Override
    public void close() {
        if (full != null) full.close();
        if (last != null) last.close();
    }
}
