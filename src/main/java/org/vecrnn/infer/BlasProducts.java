package org.vecrnn.infer;

import java.lang.foreign.Arena;
import org.vecrnn.NativeMemory;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.vecrnn.blas.Sgemm;
import org.vecrnn.model.ElmanRnn;

/**
 * The products of known sequences that do not depend on the recurrence, through the {@code blas} interface:
 * the input projection {@code P = X Uᵀ + a} and the head {@code Z = H Vᵀ + b}. OpenBLAS's sgemm reads and
 * writes the heap arrays in place (see {@link Sgemm}). Alone, OpenBLAS ran the projection faster than the
 * kernel's GEMM (750 against 984 µs for 2,048 rows at n=128, d=256, medians of 2,500 side-by-side calls);
 * over a whole batch (B=64, T=100, into the caller's arrays) 8.8 against 9.7 ms for the kernel alone on one
 * thread (JMH, 3 forks each, 2026-11-26 11:45 UTC), 4.9 against 5.9 ms on two (bench/run 12:09). The
 * recurrence stays in the kernel, whose per-row products give the same bits however the sequences are grouped.
 */
final class BlasProducts implements AutoCloseable {
    /**
     * Multiply-adds per sgemm call at most: a heap call holds off the GC while it runs, and 2^24 of them take
     * about 0.2 ms here, whatever the model's size (a fixed cut, so the same rows always share a call).
     */
    static final long CALL_WORK = 1L << 24;

    /** OpenBLAS's sgemm, looked up at first use ({@link #available}), or null before. */
    private volatile Sgemm gemm;
    private final NativeMemory memory = NativeMemory.of(this, "OpenBLAS product buffer");
    private final Arena arena = memory.arena();
    private final MemorySegment U, V;
    private final float[] a, b;
    private final int n, d, k;

    /**
     * The products of {@code model}, through OpenBLAS when it is there. Whether it is is found out at the first
     * {@link #available}, not here: loading OpenBLAS and linking its calls took about 0.2 s of a fresh JVM's
     * start (2-core AMD EPYC Zen 5), a fifth of the second within which a loaded model should step at steady
     * speed, and a model that only steps streams never needs it.
     */
    BlasProducts(ElmanRnn model) {
        n = model.n();
        d = model.d();
        k = model.k();
        U = ElmanRnn.readOnlyCopy(arena, model.U());
        V = ElmanRnn.readOnlyCopy(arena, model.V());
        a = model.a().toArray(ValueLayout.JAVA_FLOAT);
        b = model.b().toArray(ValueLayout.JAVA_FLOAT);
    }

    /** Whether OpenBLAS is there (loaded at the first call); the products below need it. */
    boolean available() {
        if (gemm == null) gemm = org.vecrnn.blas.Blas.openBlas().isPresent() ? org.vecrnn.blas.Blas.get() : null;
        return gemm != null;
    }

    /** p[r] = U x[r] + a for rows r in [0, rows): x rows n floats apart from xOff, p rows {@code stride} apart. */
    void project(float[] x, int xOff, int rows, float[] p, int pOff, int stride) {
        for (int r = 0; r < rows; r++) System.arraycopy(a, 0, p, pOff + r * stride, d);
        MemorySegment xs = MemorySegment.ofArray(x), ps = MemorySegment.ofArray(p);
        for (int r = 0, step = rowsPerCall((long) n * d); r < rows; r += step)
            gemm.sgemm(false, true, Math.min(step, rows - r), d, n, 1f, xs, xOff + (long) r * n, n, U, 0, n, 1f, ps, pOff + (long) r * stride, stride);
    }

    /** z[r] = V h[r] + b for rows r in [0, rows): h rows {@code stride} floats apart from hOff, z rows k apart from zOff. */
    void heads(float[] h, int hOff, int stride, int rows, float[] z, int zOff) {
        for (int r = 0; r < rows; r++) System.arraycopy(b, 0, z, zOff + r * k, k);
        MemorySegment hs = MemorySegment.ofArray(h), zs = MemorySegment.ofArray(z);
        for (int r = 0, step = rowsPerCall((long) d * k); r < rows; r += step)
            gemm.sgemm(false, true, Math.min(step, rows - r), k, d, 1f, hs, hOff + (long) r * stride, stride, V, 0, d, 1f, zs, zOff + (long) r * k, k);
    }

    private static int rowsPerCall(long workPerRow) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, CALL_WORK / workPerRow));
    }

    String describe() {
        return gemm.describe();
    }

    @Override
    public void close() {
        synchronized (arena) {
            memory.close();
        }
    }
}
