package org.vecrnn.train;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.vecrnn.model.ElmanRnn;
import org.vecrnn.model.Nonlinearity;
import org.vecrnn.model.Output;
import org.vecrnn.model.Parameters;

/**
 * θ = (U, W, a, V, b, then U_l, W_l, a_l of every layer above the first), or a gradient or optimizer moment
 * of the same shape, in off-heap memory where the GEMMs can read it directly; the blocks are in the order of
 * {@link Parameters#all()}. Mutable; owned by one trainer thread; {@link #close()} frees it.
 */
public final class ParamBuffers implements AutoCloseable {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    public final int n, d, k, layers;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment[] parts;

    public ParamBuffers(int n, int d, int k) {
        this(n, d, k, 1);
    }

    /** Buffers for a model of {@code layers} layers (1 to {@value Parameters#MAX_LAYERS}). */
    public ParamBuffers(int n, int d, int k, int layers) {
        if (n < 1 || d < 1 || k < 1) throw new IllegalArgumentException("sizes must be positive: n=" + n + " d=" + d + " k=" + k);
        if (layers < 1 || layers > Parameters.MAX_LAYERS)
            throw new IllegalArgumentException("layers must be 1 to " + Parameters.MAX_LAYERS + ", not " + layers);
        this.n = n;
        this.d = d;
        this.k = k;
        this.layers = layers;
        long[][] shapes = Parameters.shapes(n, d, k, layers);
        parts = new MemorySegment[shapes.length];
        for (int i = 0; i < shapes.length; i++) {
            long floats = 1;
            for (long s : shapes[i]) floats = Math.multiplyExact(floats, s);
            parts[i] = arena.allocate(floats * Float.BYTES, 64);
        }
    }

    public static ParamBuffers of(Parameters p, int n, int d, int k) {
        ParamBuffers b = new ParamBuffers(n, d, k, p.layers());
        b.set(p);
        return b;
    }

    public MemorySegment U() { return parts[0]; }
    public MemorySegment W() { return parts[1]; }
    public MemorySegment a() { return parts[2]; }
    public MemorySegment V() { return parts[3]; }
    public MemorySegment b() { return parts[4]; }

    /** U_l of layer l (from 0): [d, n] for layer 0, [d, d] above. */
    public MemorySegment U(int l) { return l == 0 ? parts[0] : parts[2 + 3 * l]; }
    /** W_l [d, d] of layer l (from 0). */
    public MemorySegment W(int l) { return l == 0 ? parts[1] : parts[3 + 3 * l]; }
    /** a_l [d] of layer l (from 0). */
    public MemorySegment a(int l) { return l == 0 ? parts[2] : parts[4 + 3 * l]; }

    public void set(Parameters p) {
        float[][] all = sameLayers(p).all();
        for (int i = 0; i < parts.length; i++) {
            if (all[i].length * (long) Float.BYTES != parts[i].byteSize())
                throw new IllegalArgumentException(p.names()[i] + " has " + all[i].length + " values, expected "
                        + parts[i].byteSize() / Float.BYTES + " for n=" + n + " d=" + d + " k=" + k);
            MemorySegment.copy(all[i], 0, parts[i], F, 0, all[i].length);
        }
    }

    /** Copies into existing arrays of the right sizes (one bulk copy per block). */
    public void copyTo(Parameters p) {
        float[][] all = sameLayers(p).all();
        for (int i = 0; i < parts.length; i++) {
            if (all[i].length * (long) Float.BYTES != parts[i].byteSize())
                throw new IllegalArgumentException(p.names()[i] + " has " + all[i].length + " values, expected " + parts[i].byteSize() / Float.BYTES);
            MemorySegment.copy(parts[i], F, 0, all[i], 0, all[i].length);
        }
    }

    private Parameters sameLayers(Parameters p) {
        if (p.layers() != layers) throw new IllegalArgumentException("parameters of " + p.layers() + " layers, these buffers hold " + layers);
        return p;
    }

    public Parameters toParameters() {
        Parameters.Layer[] upper = new Parameters.Layer[layers - 1];
        for (int l = 1; l < layers; l++) upper[l - 1] = new Parameters.Layer(U(l).toArray(F), W(l).toArray(F), a(l).toArray(F));
        return new Parameters(parts[0].toArray(F), parts[1].toArray(F), parts[2].toArray(F), parts[3].toArray(F), parts[4].toArray(F), upper);
    }

    void sameShape(ParamBuffers o) {
        if (o.n != n || o.d != d || o.k != k || o.layers != layers)
            throw new IllegalArgumentException("parameter shapes differ: n=" + o.n + " d=" + o.d + " k=" + o.k + " layers=" + o.layers
                    + " against n=" + n + " d=" + d + " k=" + k + " layers=" + layers);
    }

    /** The model these parameters describe (copied into the model's own immutable memory). */
    public ElmanRnn toModel(Output g, Nonlinearity f) {
        return ElmanRnn.of(n, d, k, g, f, toParameters());
    }

    @Override
    public void close() {
        if (arena.scope().isAlive()) arena.close();
    }
}
