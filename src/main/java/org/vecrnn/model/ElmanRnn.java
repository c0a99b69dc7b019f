package org.vecrnn.model;

import java.lang.foreign.Arena;
import org.vecrnn.NativeMemory;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The Elman RNN, in the seed's names, stacked L = 1..{@value Parameters#MAX_LAYERS} layers deep:
 * <pre>
 *   h_t = f(W h_{t-1} + U x_t + a)         U: d×n, W: d×d, a: d        (the seed: L = 1, f = tanh)
 *   h^l_t = f(W_l h^l_{t-1} + U_l h^{l-1}_t + a_l)   for layers l = 2..L, U_l: d×d (h^1 = h above)
 *   o_t = g(V h^L_t + b)                   V: k×d, b: k
 * </pre>
 * with f = tanh or relu, one for the whole model: PyTorch's {@code nn.RNN(n, d, num_layers=L,
 * nonlinearity=f)} plus {@code nn.Linear(d, k)}. Layers are numbered from 0 in this API ({@link #U(int)}).
 * Matrices are row-major [out, in]. The parameters live in read-only, 64-byte-aligned native memory
 * (kernels load whole cache lines from it), so one model is immutable and safe to share between threads.
 * {@link #close()} frees that memory; a closed model refuses every use with a clear error.
 */
public final class ElmanRnn implements AutoCloseable {
    /** Cache-line alignment: an unaligned weight array made the same kernel swing by a factor of two. */
    public static final long ALIGNMENT = 64;

    private final int n, d, k;
    private final Output output;
    private final Nonlinearity f;
    private final NativeMemory memory;
    private final Arena arena;
    /** Per layer, from the first. */
    private final MemorySegment[] U, W, a;
    private final MemorySegment V, b;

    private ElmanRnn(int n, int d, int k, Output output, Nonlinearity f, Parameters p) {
        this.n = n;
        this.d = d;
        this.k = k;
        this.output = output;
        this.f = f;
        this.memory = NativeMemory.of(this, "model");
        this.arena = memory.arena();
        int layers = p.layers();
        U = new MemorySegment[layers];
        W = new MemorySegment[layers];
        a = new MemorySegment[layers];
        for (int l = 0; l < layers; l++) {
            U[l] = copy(p.U(l));
            W[l] = copy(p.W(l));
            a[l] = copy(p.a(l));
        }
        this.V = copy(p.V());
        this.b = copy(p.b());
    }

    /**
     * A tanh model; shapes and values are checked.
     *
     * @param n the size of an input x_t
     * @param d the size of each layer's hidden state
     * @param k the size of an output o_t
     * @param output g, the output function
     * @param p the weights, copied into native memory (1 to 8 layers)
     * @return an open model, to be closed by the caller
     * @throws IllegalArgumentException when a shape disagrees with n, d, k or a value is not finite
     */
    public static ElmanRnn of(int n, int d, int k, Output output, Parameters p) {
        return of(n, d, k, output, Nonlinearity.TANH, p);
    }

    /**
     * A model of {@code p.layers()} layers with nonlinearity f; shapes and values are checked.
     *
     * @param n the size of an input x_t
     * @param d the size of each layer's hidden state
     * @param k the size of an output o_t
     * @param output g, the output function
     * @param f the hidden nonlinearity of every layer
     * @param p the weights, copied into native memory
     * @return an open model, to be closed by the caller
     * @throws IllegalArgumentException when a shape disagrees with n, d, k or a value is not finite
     */
    public static ElmanRnn of(int n, int d, int k, Output output, Nonlinearity f, Parameters p) {
        if (output == null) throw new IllegalArgumentException("output activation is null");
        if (f == null) throw new IllegalArgumentException("nonlinearity is null");
        p.checkShapes(n, d, k);
        p.checkFinite();
        return new ElmanRnn(n, d, k, output, f, p);
    }

    /**
     * Layer l (from 0) with this model's head, as a one-layer model of its own (its input size is n for layer 0,
     * d above): what a layer's step kernel is built from. The caller closes it.
     *
     * @param l the layer, from 0
     * @return a new one-layer model holding copies of layer l and the head
     * @throws IllegalArgumentException when the model has no layer l
     */
    public ElmanRnn layer(int l) {
        checkLayer(l);
        Parameters p = new Parameters(floats(U(l)), floats(W(l)), floats(a(l)), floats(V()), floats(b()));
        return new ElmanRnn(l == 0 ? n : d, d, k, output, f, p);
    }

    private void checkLayer(int l) {
        if (l < 0 || l >= U.length) throw new IllegalArgumentException("layer " + l + " does not exist: the model has " + U.length + " (from 0)");
    }

    private MemorySegment copy(float[] values) {
        return readOnlyCopy(arena, values);
    }

    /**
     * A copy of {@code floats} in {@code arena}'s memory, {@value #ALIGNMENT}-byte aligned and read-only (at
     * least one float is allocated, so an empty block still gets an aligned address). With the overload
     * below, the one place weights enter native memory.
     *
     * @param arena the arena that owns the copy
     * @param floats native floats to copy
     * @return the read-only, aligned copy
     */
    public static MemorySegment readOnlyCopy(Arena arena, MemorySegment floats) {
        MemorySegment s = arena.allocate(Math.max(Float.BYTES, floats.byteSize()), ALIGNMENT);
        MemorySegment.copy(floats, 0, s, 0, floats.byteSize());
        return s.asSlice(0, floats.byteSize()).asReadOnly();
    }

    /**
     * The same from a heap array.
     *
     * @param arena the arena that owns the copy
     * @param values the floats to copy
     * @return the read-only, aligned copy
     */
    public static MemorySegment readOnlyCopy(Arena arena, float[] values) {
        MemorySegment s = arena.allocate((long) Math.max(1, values.length) * Float.BYTES, ALIGNMENT);
        MemorySegment.copy(values, 0, s, ValueLayout.JAVA_FLOAT, 0, values.length);
        return s.asSlice(0, (long) values.length * Float.BYTES).asReadOnly();
    }

    /** {@return n, the size of an input x_t} */
    public int n() { return n; }
    /** {@return d, the size of each layer's hidden state} */
    public int d() { return d; }
    /** {@return k, the size of an output o_t} */
    public int k() { return k; }
    /** {@return g, the output function of the head} */
    public Output output() { return output; }
    /** {@return f, the hidden nonlinearity of every layer} */
    public Nonlinearity nonlinearity() { return f; }
    /** {@return L, the number of recurrent layers (1 for the seed's model)} */
    public int layers() { return U.length; }

    /**
     * {@return U [d, n] of the first layer, read-only native floats (all of these throw IllegalStateException once
     * closed)}
     */
    public MemorySegment U() { return U(0); }
    /** {@return W [d, d] of the first layer} */
    public MemorySegment W() { return W(0); }
    /** {@return a [d] of the first layer} */
    public MemorySegment a() { return a(0); }
    /**
     * {@return U_l: [d, n] for layer 0, [d, d] above}
     *
     * @param l the layer, from 0
     */
    public MemorySegment U(int l) { checkLayer(l); return live(U[l]); }
    /**
     * {@return W_l [d, d]}
     *
     * @param l the layer, from 0
     */
    public MemorySegment W(int l) { checkLayer(l); return live(W[l]); }
    /**
     * {@return a_l [d]: PyTorch's bias_ih_l + bias_hh_l}
     *
     * @param l the layer, from 0
     */
    public MemorySegment a(int l) { checkLayer(l); return live(a[l]); }
    /** {@return V [k, d], the head's weights} */
    public MemorySegment V() { return live(V); }
    /** {@return b [k], the head's bias} */
    public MemorySegment b() { return live(b); }

    private MemorySegment live(MemorySegment s) {
        if (!arena.scope().isAlive()) throw new IllegalStateException("this model has been closed");
        return s;
    }

    /** {@return a copy of all parameters on the heap (for training, the reference and tests)} */
    public Parameters parameters() {
        Parameters.Layer[] upper = new Parameters.Layer[U.length - 1];
        for (int l = 1; l < U.length; l++) upper[l - 1] = new Parameters.Layer(floats(U(l)), floats(W(l)), floats(a(l)));
        return new Parameters(floats(U()), floats(W()), floats(a()), floats(V()), floats(b()), upper);
    }

    private static float[] floats(MemorySegment s) {
        return s.toArray(ValueLayout.JAVA_FLOAT);
    }

    /** {@return the bytes of parameter memory (4 per weight and bias)} */
    public long bytes() {
        long s = V.byteSize() + b.byteSize();
        for (int l = 0; l < U.length; l++) s += U[l].byteSize() + W[l].byteSize() + a[l].byteSize();
        return s;
    }

    /** {@return whether the parameter memory is still there, i.e. {@link #close()} has not run} */
    public boolean isOpen() {
        return arena.scope().isAlive();
    }

    /** Frees the parameter memory. Closing twice is harmless. Must not race with a step on this model. */
    @Override
    public synchronized void close() {
        memory.close();
    }

    @Override
    public String toString() {
        return "ElmanRnn[n=" + n + ", d=" + d + ", k=" + k + ", layers=" + U.length + ", nonlinearity=" + f.id() + ", output=" + output.id() + "]";
    }
}
