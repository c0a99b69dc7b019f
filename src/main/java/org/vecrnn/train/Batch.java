package org.vecrnn.train;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.vecrnn.model.Topology;

/**
 * One mini-batch in the time-major layout the batched GEMMs want (oneDNN's "tnc"): x [T, B, n], targets
 * y [T, B, k] ([B, k] for many-to-one), h0 [L, B, d] for a model of L layers (PyTorch's order). Time-major
 * makes the B rows of one step contiguous for the recurrence GEMM, and all T·B rows one matrix for the input
 * projection and the weight gradients.
 * Steps before {@link #targetFrom()} carry no target (truncated BPTT with overlapping windows).
 */
public final class Batch implements AutoCloseable {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    public final int B, T, n, d, k;
    /** L, the layers of the model this batch is for: h0 holds one [B, d] block per layer. */
    public final int layers;
    public final Topology topology;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment x, y, h0;
    private int targetFrom;

    public Batch(int B, int T, int n, int d, int k, Topology topology) {
        this(B, T, n, d, 1, k, topology);
    }

    /** A batch for a model of {@code layers} layers of d units. */
    public Batch(int B, int T, int n, int d, int layers, int k, Topology topology) {
        if (B < 1 || T < 1 || n < 1 || d < 1 || k < 1 || layers < 1)
            throw new IllegalArgumentException("batch sizes must be positive: B=" + B + " T=" + T + " n=" + n + " d=" + d + " k=" + k + " layers=" + layers);
        if (topology == null) throw new IllegalArgumentException("topology is null");
        this.layers = layers;
        this.B = B;
        this.T = T;
        this.n = n;
        this.d = d;
        this.k = k;
        this.topology = topology;
        long steps = Math.multiplyExact((long) T, B);
        x = arena.allocate(Math.multiplyExact(steps, (long) n) * Float.BYTES, 64);
        y = arena.allocate(Math.multiplyExact(topology == Topology.MANY_TO_ONE ? B : steps, (long) k) * Float.BYTES, 64);
        h0 = arena.allocate(Math.multiplyExact((long) layers * B, (long) d) * Float.BYTES, 64);
    }

    public MemorySegment x() { return x; }
    public MemorySegment y() { return y; }
    public MemorySegment h0() { return h0; }

    public int targetFrom() {
        return targetFrom;
    }

    /** Steps {@code t < from} have no target (many-to-many and one-to-many only). */
    public void targetFrom(int from) {
        if (from < 0 || from >= T) throw new IllegalArgumentException("targetFrom " + from + " outside 0.." + (T - 1));
        if (from != 0 && topology == Topology.MANY_TO_ONE) throw new IllegalArgumentException("many-to-one has its one target at the last step");
        targetFrom = from;
    }

    /** First step with a target. */
    public int firstTarget() {
        return topology == Topology.MANY_TO_ONE ? T - 1 : targetFrom;
    }

    /** x_t of sequence s (n values). */
    public void setX(int s, int t, float[] v, int off) {
        check(s, t);
        MemorySegment.copy(v, off, x, F, ((long) t * B + s) * n * Float.BYTES, n);
    }

    /** The target of sequence s at step t (k values); for many-to-one t is ignored. */
    public void setY(int s, int t, float[] v, int off) {
        check(s, t);
        long row = topology == Topology.MANY_TO_ONE ? s : (long) t * B + s;
        MemorySegment.copy(v, off, y, F, row * k * Float.BYTES, k);
    }

    /**
     * Fills the batch from batch-major arrays: x [B,T,n], y [B,T,k] ([B,k] for many-to-one), h0 [L,B,d] or
     * null for zeros. Lengths are checked.
     */
    public void fill(float[] xs, float[] ys, float[] h0s) {
        long steps = (long) B * T;
        expect("x", xs, steps * n);
        if (ys != null) expect("y", ys, (topology == Topology.MANY_TO_ONE ? B : steps) * k);
        if (h0s != null) expect("h0", h0s, (long) layers * B * d);
        for (int s = 0; s < B; s++) {
            for (int t = 0; t < T; t++) {
                setX(s, t, xs, (s * T + t) * n);
                if (ys != null && topology != Topology.MANY_TO_ONE) setY(s, t, ys, (s * T + t) * k);
            }
            if (ys != null && topology == Topology.MANY_TO_ONE) setY(s, T - 1, ys, s * k);
        }
        if (h0s == null) h0.fill((byte) 0);
        else MemorySegment.copy(h0s, 0, h0, F, 0, h0s.length);
    }

    private static void expect(String name, float[] v, long want) {
        if (v == null || v.length != want)
            throw new IllegalArgumentException(name + " has " + (v == null ? "no" : String.valueOf(v.length)) + " values, expected " + want);
    }

    private void check(int s, int t) {
        if (s < 0 || s >= B || t < 0 || t >= T) throw new IndexOutOfBoundsException("sequence " + s + " step " + t + " outside B=" + B + " T=" + T);
    }

    @Override
    public void close() {
        if (arena.scope().isAlive()) arena.close();
    }
}
