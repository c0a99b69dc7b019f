package org.vecrnn.train;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.vecrnn.model.Output;
import org.vecrnn.model.Parameters;

/**
 * θ = (U, W, a, V, b) (or a gradient or optimizer moment of the same shape) in off-heap memory, where the
 * GEMMs can read it directly. Mutable; owned by one trainer thread; {@link #close()} frees it.
 */
public final class ParamBuffers implements AutoCloseable {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    public final int n, d, k;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment[] parts;

    public ParamBuffers(int n, int d, int k) {
        if (n < 1 || d < 1 || k < 1) throw new IllegalArgumentException("sizes must be positive: n=" + n + " d=" + d + " k=" + k);
        this.n = n;
        this.d = d;
        this.k = k;
        long[] sizes = {Math.multiplyExact((long) d, n), Math.multiplyExact((long) d, d), d, Math.multiplyExact((long) k, d), k};
        parts = new MemorySegment[sizes.length];
        for (int i = 0; i < sizes.length; i++) parts[i] = arena.allocate(sizes[i] * Float.BYTES, 64);
    }

    public static ParamBuffers of(Parameters p, int n, int d, int k) {
        ParamBuffers b = new ParamBuffers(n, d, k);
        b.set(p);
        return b;
    }

    public MemorySegment U() { return parts[0]; }
    public MemorySegment W() { return parts[1]; }
    public MemorySegment a() { return parts[2]; }
    public MemorySegment V() { return parts[3]; }
    public MemorySegment b() { return parts[4]; }

    public void set(Parameters p) {
        float[][] all = p.all();
        for (int i = 0; i < parts.length; i++) {
            if (all[i].length * (long) Float.BYTES != parts[i].byteSize())
                throw new IllegalArgumentException(Parameters.NAMES[i] + " has " + all[i].length + " values, expected "
                        + parts[i].byteSize() / Float.BYTES + " for n=" + n + " d=" + d + " k=" + k);
            MemorySegment.copy(all[i], 0, parts[i], F, 0, all[i].length);
        }
    }

    /** Copies into existing arrays of the right sizes (one bulk copy per block). */
    public void copyTo(Parameters p) {
        float[][] all = p.all();
        for (int i = 0; i < parts.length; i++) {
            if (all[i].length * (long) Float.BYTES != parts[i].byteSize())
                throw new IllegalArgumentException(Parameters.NAMES[i] + " has " + all[i].length + " values, expected " + parts[i].byteSize() / Float.BYTES);
            MemorySegment.copy(parts[i], F, 0, all[i], 0, all[i].length);
        }
    }

    public Parameters toParameters() {
        return new Parameters(parts[0].toArray(F), parts[1].toArray(F), parts[2].toArray(F), parts[3].toArray(F), parts[4].toArray(F));
    }

    void sameShape(ParamBuffers o) {
        if (o.n != n || o.d != d || o.k != k)
            throw new IllegalArgumentException("parameter shapes differ: n=" + o.n + " d=" + o.d + " k=" + o.k + " against n=" + n + " d=" + d + " k=" + k);
    }

    /** The model these parameters describe (copied into the model's own immutable memory). */
    public org.vecrnn.model.ElmanRnn toModel(Output g) {
        return org.vecrnn.model.ElmanRnn.of(n, d, k, g, toParameters());
    }

    @Override
    public void close() {
        if (arena.scope().isAlive()) arena.close();
    }
}
