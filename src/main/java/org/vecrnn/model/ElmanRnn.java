package org.vecrnn.model;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The seed's Elman RNN, in its own names:
 * <pre>
 *   h_t = tanh(W h_{t-1} + U x_t + a)      U: d×n, W: d×d, a: d
 *   o_t = g(V h_t + b)                     V: k×d, b: k
 * </pre>
 * Matrices are row-major [out, in]. The parameters live in read-only, 64-byte-aligned native memory
 * (kernels load whole cache lines from it), so one model is immutable and safe to share between threads.
 * {@link #close()} frees that memory; a closed model refuses every use with a clear error.
 */
public final class ElmanRnn implements AutoCloseable {
    /** Cache-line alignment: an unaligned weight array made the same kernel swing by a factor of two. */
    public static final long ALIGNMENT = 64;

    private final int n, d, k;
    private final Output output;
    private final Arena arena;
    private final MemorySegment U, W, a, V, b;

    private ElmanRnn(int n, int d, int k, Output output, Parameters p) {
        this.n = n;
        this.d = d;
        this.k = k;
        this.output = output;
        this.arena = Arena.ofShared();
        this.U = copy(p.U());
        this.W = copy(p.W());
        this.a = copy(p.a());
        this.V = copy(p.V());
        this.b = copy(p.b());
    }

    /** A model with sizes n (input), d (hidden), k (output); shapes and values are checked. */
    public static ElmanRnn of(int n, int d, int k, Output output, Parameters p) {
        if (output == null) throw new IllegalArgumentException("output activation is null");
        p.checkShapes(n, d, k);
        p.checkFinite();
        return new ElmanRnn(n, d, k, output, p);
    }

    private MemorySegment copy(float[] values) {
        return readOnlyCopy(arena, values);
    }

    /**
     * A copy of {@code floats} in {@code arena}'s memory, {@value #ALIGNMENT}-byte aligned and read-only (at
     * least one float is allocated, so an empty block still gets an aligned address). With the overload
     * below, the one place weights enter native memory.
     */
    public static MemorySegment readOnlyCopy(Arena arena, MemorySegment floats) {
        MemorySegment s = arena.allocate(Math.max(Float.BYTES, floats.byteSize()), ALIGNMENT);
        MemorySegment.copy(floats, 0, s, 0, floats.byteSize());
        return s.asSlice(0, floats.byteSize()).asReadOnly();
    }

    /** The same from a heap array. */
    public static MemorySegment readOnlyCopy(Arena arena, float[] values) {
        MemorySegment s = arena.allocate((long) Math.max(1, values.length) * Float.BYTES, ALIGNMENT);
        MemorySegment.copy(values, 0, s, ValueLayout.JAVA_FLOAT, 0, values.length);
        return s.asSlice(0, (long) values.length * Float.BYTES).asReadOnly();
    }

    public int n() { return n; }
    public int d() { return d; }
    public int k() { return k; }
    public Output output() { return output; }

    /** U [d, n], read-only native floats. */
    public MemorySegment U() { return live(U); }
    /** W [d, d]. */
    public MemorySegment W() { return live(W); }
    /** a [d]. */
    public MemorySegment a() { return live(a); }
    /** V [k, d]. */
    public MemorySegment V() { return live(V); }
    /** b [k]. */
    public MemorySegment b() { return live(b); }

    private MemorySegment live(MemorySegment s) {
        if (!arena.scope().isAlive()) throw new IllegalStateException("this model has been closed");
        return s;
    }

    /** A copy of all parameters on the heap (for training, the reference and tests). */
    public Parameters parameters() {
        return new Parameters(floats(U()), floats(W()), floats(a()), floats(V()), floats(b()));
    }

    private static float[] floats(MemorySegment s) {
        return s.toArray(ValueLayout.JAVA_FLOAT);
    }

    /** Bytes of parameter memory. */
    public long bytes() {
        return U.byteSize() + W.byteSize() + a.byteSize() + V.byteSize() + b.byteSize();
    }

    public boolean isOpen() {
        return arena.scope().isAlive();
    }

    /** Frees the parameter memory. Closing twice is harmless. Must not race with a step on this model. */
    @Override
    public synchronized void close() {
        if (arena.scope().isAlive()) arena.close();
    }

    @Override
    public String toString() {
        return "ElmanRnn[n=" + n + ", d=" + d + ", k=" + k + ", output=" + output.id() + "]";
    }
}
