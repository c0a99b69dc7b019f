package org.vecrnn.quant;

import java.lang.foreign.Arena;
import org.vecrnn.NativeMemory;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.vecrnn.model.ElmanRnn;
import org.vecrnn.model.Nonlinearity;
import org.vecrnn.model.Output;
import org.vecrnn.model.Parameters;

/**
 * An Elman RNN with int8 weights, in the seed's names, of one or more layers as {@link ElmanRnn}:
 * <pre>
 *   h_t = f(W h_{t-1} + U x_t + a)         U, W: int8 with scales; a: float   (f = tanh or relu)
 *   h^l_t = f(W_l h^l_{t-1} + U_l h^{l-1}_t + a_l)   layers l = 2..L, each quantized the same way
 *   o_t = g(V h^L_t + b)                   V: int8 with scales;    b: float
 * </pre>
 * At d = 1024 the fp32 U, W, V take 6.4 MB and stream from L3 at every step; as int8 they take 1.6 MB and
 * stay in L2. Like {@link ElmanRnn}: immutable, safe to share between threads, parameters in read-only
 * 64-byte aligned native memory, {@link #close()} frees it and a closed model refuses every use.
 */
public final class QuantizedRnn implements AutoCloseable {
    private final int n, d, k;
    private final Output output;
    private final Nonlinearity f;
    private final Int8Scheme scheme;
    private final NativeMemory memory;
    private final Arena arena;
    /** Per layer, from the first. */
    private final Int8Matrix[] U, W;
    private final MemorySegment[] a;
    private final Int8Matrix V;
    private final MemorySegment b;

    /**
     * One upper layer (2..L).
     *
     * @param U U_l [d, d], int8 with scales
     * @param W W_l [d, d], int8 with scales
     * @param a a_l [d], float
     */
    public record Layer(Int8Weights U, Int8Weights W, float[] a) {}

    private QuantizedRnn(int n, int d, int k, Output output, Nonlinearity f, Int8Weights U, Int8Weights W, float[] a, Int8Weights V, float[] b,
                         Layer[] upper) {
        this.n = n;
        this.d = d;
        this.k = k;
        this.output = output;
        this.f = f;
        this.scheme = W.scheme();
        this.memory = NativeMemory.of(this, "int8 model");
        this.arena = memory.arena();
        int layers = 1 + upper.length;
        this.U = new Int8Matrix[layers];
        this.W = new Int8Matrix[layers];
        this.a = new MemorySegment[layers];
        this.U[0] = matrix(U);
        this.W[0] = matrix(W);
        this.a[0] = floats(a);
        for (int l = 1; l < layers; l++) {
            this.U[l] = matrix(upper[l - 1].U());
            this.W[l] = matrix(upper[l - 1].W());
            this.a[l] = floats(upper[l - 1].a());
        }
        this.V = matrix(V);
        this.b = floats(b);
    }

    /**
     * A one-layer tanh model from its parts; every shape, scale and value is checked.
     *
     * @param n the size of an input x_t
     * @param d the size of the hidden state
     * @param k the size of an output o_t
     * @param output g, the output function
     * @param U [d, n] int8 with scales
     * @param W [d, d] int8 with scales, the same scheme as U
     * @param a [d], finite
     * @param V [k, d] int8 with scales, the same scheme as U
     * @param b [k], finite
     * @return an open model holding native copies, to be closed by the caller
     * @throws IllegalArgumentException when a shape, scheme, scale or value is wrong
     */
    public static QuantizedRnn of(int n, int d, int k, Output output, Int8Weights U, Int8Weights W, float[] a, Int8Weights V, float[] b) {
        return of(n, d, k, output, Nonlinearity.TANH, U, W, a, V, b);
    }

    /**
     * A model of {@code 1 + upper.length} layers with nonlinearity f; every shape, scale and value is checked.
     *
     * @param n the size of an input x_t
     * @param d the size of each layer's hidden state
     * @param k the size of an output o_t
     * @param output g, the output function
     * @param f the hidden nonlinearity of every layer
     * @param U [d, n] of the first layer
     * @param W [d, d] of the first layer
     * @param a [d] of the first layer
     * @param V [k, d], the head
     * @param b [k], the head's bias
     * @param upper the layers above the first, at most 7, each quantized with the same scheme
     * @return an open model holding native copies, to be closed by the caller
     * @throws IllegalArgumentException when a shape, scheme, scale or value is wrong
     */
    public static QuantizedRnn of(int n, int d, int k, Output output, Nonlinearity f, Int8Weights U, Int8Weights W, float[] a,
                                  Int8Weights V, float[] b, Layer... upper) {
        if (n < 1 || d < 1 || k < 1) throw new IllegalArgumentException("sizes must be positive: n=" + n + " d=" + d + " k=" + k);
        if (output == null) throw new IllegalArgumentException("output activation is null");
        if (f == null) throw new IllegalArgumentException("nonlinearity is null");
        if (upper.length > Parameters.MAX_LAYERS - 1) throw new IllegalArgumentException("at most " + Parameters.MAX_LAYERS + " layers, not " + (upper.length + 1));
        shape("U", U, d, n);
        shape("W", W, d, d);
        shape("V", V, k, d);
        if (U.scheme() != W.scheme() || V.scheme() != W.scheme())
            throw new IllegalArgumentException("U, W and V use different schemes: " + U.scheme().id() + ", " + W.scheme().id() + ", " + V.scheme().id());
        U.check("U");
        W.check("W");
        V.check("V");
        bias("a", a, d);
        bias("b", b, k);
        for (int l = 2; l <= upper.length + 1; l++) {
            Layer y = upper[l - 2];
            if (y == null) throw new IllegalArgumentException("layer " + l + " is missing");
            shape("U" + l, y.U(), d, d);
            shape("W" + l, y.W(), d, d);
            if (y.U().scheme() != W.scheme() || y.W().scheme() != W.scheme())
                throw new IllegalArgumentException("U" + l + " and W" + l + " use another scheme than W: " + y.U().scheme().id() + ", " + y.W().scheme().id());
            y.U().check("U" + l);
            y.W().check("W" + l);
            bias("a" + l, y.a(), d);
        }
        return new QuantizedRnn(n, d, k, output, f, U, W, a, V, b, upper.clone());
    }

    /**
     * Layer l (from 0) with this model's head, as a one-layer model of its own (input size n for layer 0, d
     * above): what a layer's int8 step kernel is built from. The caller closes it.
     *
     * @param l the layer, from 0
     * @return a new one-layer model holding copies of layer l and the head
     * @throws IllegalArgumentException when the model has no layer l
     */
    public QuantizedRnn layer(int l) {
        checkLayer(l);
        return new QuantizedRnn(l == 0 ? n : d, d, k, output, f, weights(U(l)), weights(W(l)), a(l).toArray(ValueLayout.JAVA_FLOAT),
                weights(V()), bValues(), new Layer[0]);
    }

    private void checkLayer(int l) {
        if (l < 0 || l >= U.length) throw new IllegalArgumentException("layer " + l + " does not exist: the model has " + U.length + " (from 0)");
    }

    private static void shape(String name, Int8Weights w, int rows, int cols) {
        if (w == null) throw new IllegalArgumentException(name + " is missing");
        if (w.rows() != rows || w.cols() != cols)
            throw new IllegalArgumentException(name + " has shape [" + w.rows() + ", " + w.cols() + "], expected [" + rows + ", " + cols + "]");
    }

    private static void bias(String name, float[] v, int len) {
        if (v == null || v.length != len)
            throw new IllegalArgumentException(name + " has " + (v == null ? 0 : v.length) + " values, expected " + len);
        for (int i = 0; i < len; i++)
            if (!Float.isFinite(v[i])) throw new IllegalArgumentException(name + " holds a non-finite value (" + v[i] + ") at index " + i);
    }

    private Int8Matrix matrix(Int8Weights w) {
        MemorySegment q = arena.allocate(Math.max(1, w.q().length), ElmanRnn.ALIGNMENT);
        MemorySegment.copy(w.q(), 0, q, ValueLayout.JAVA_BYTE, 0, w.q().length);
        return new Int8Matrix(w.rows(), w.cols(), w.scheme(), q.asSlice(0, w.q().length).asReadOnly(), floats(w.scales()));
    }

    private MemorySegment floats(float[] values) {
        return ElmanRnn.readOnlyCopy(arena, values);
    }

    /** {@return n, the size of an input x_t} */
    public int n() { return n; }
    /** {@return d, the size of each layer's hidden state} */
    public int d() { return d; }
    /** {@return k, the size of an output o_t} */
    public int k() { return k; }
    /** {@return g, the output function of the head} */
    public Output output() { return output; }
    /** {@return how the weights were quantized (scales per row or per block of 32)} */
    public Int8Scheme scheme() { return scheme; }
    /** {@return f, the hidden nonlinearity of every layer} */
    public Nonlinearity nonlinearity() { return f; }
    /** {@return L, the number of recurrent layers} */
    public int layers() { return U.length; }

    /**
     * {@return U [d, n] of the first layer as int8 with scales (all of these throw IllegalStateException once
     * closed)}
     */
    public Int8Matrix U() { return U(0); }
    /** {@return W [d, d] of the first layer} */
    public Int8Matrix W() { return W(0); }
    /** {@return V [k, d], the head's weights} */
    public Int8Matrix V() { return live(V); }
    /** {@return a [d] of the first layer, read-only native floats} */
    public MemorySegment a() { return a(0); }
    /**
     * {@return U_l: [d, n] for layer 0, [d, d] above}
     *
     * @param l the layer, from 0
     */
    public Int8Matrix U(int l) { checkLayer(l); return live(U[l]); }
    /**
     * {@return W_l [d, d]}
     *
     * @param l the layer, from 0
     */
    public Int8Matrix W(int l) { checkLayer(l); return live(W[l]); }
    /**
     * {@return a_l [d], read-only native floats}
     *
     * @param l the layer, from 0
     */
    public MemorySegment a(int l) { checkLayer(l); return live(a[l]); }
    /** {@return b [k], the head's bias, read-only native floats} */
    public MemorySegment b() { return live(b); }

    private <T> T live(T t) {
        if (!arena.scope().isAlive()) throw new IllegalStateException("this quantized model has been closed");
        return t;
    }

    /**
     * A heap copy of one int8 matrix, as the file holds it.
     *
     * @param name U, W, V, or U2, W2, ... of the layers above the first
     * @return the int8 values and scales of that matrix
     * @throws IllegalArgumentException when the model has no matrix of that name
     */
    public Int8Weights weights(String name) {
        Int8Matrix m = switch (name) {
            case "U" -> U();
            case "W" -> W();
            case "V" -> V();
            default -> {
                int l = name.length() == 2 && (name.charAt(0) == 'U' || name.charAt(0) == 'W') ? name.charAt(1) - '1' : -1;
                if (l < 1 || l >= U.length) throw new IllegalArgumentException("no int8 matrix '" + name + "' (U, W, V, or U2.., W2.. of a stacked model)");
                yield name.charAt(0) == 'U' ? U(l) : W(l);
            }
        };
        return weights(m);
    }

    private static Int8Weights weights(Int8Matrix m) {
        return new Int8Weights(m.rows(), m.cols(), m.scheme(), m.q().toArray(ValueLayout.JAVA_BYTE), m.scales().toArray(ValueLayout.JAVA_FLOAT));
    }

    /** {@return a [d] of the first layer, a heap copy} */
    public float[] aValues() {
        return a().toArray(ValueLayout.JAVA_FLOAT);
    }

    /**
     * {@return a_l [d], a heap copy}
     *
     * @param l the layer, from 0
     */
    public float[] aValues(int l) {
        return a(l).toArray(ValueLayout.JAVA_FLOAT);
    }

    /** {@return b [k], a heap copy} */
    public float[] bValues() {
        return b().toArray(ValueLayout.JAVA_FLOAT);
    }

    /** {@return the bytes of parameter memory (int8 matrices, their scales and the float biases)} */
    public long bytes() {
        long s = V.bytes() + b.byteSize();
        for (int l = 0; l < U.length; l++) s += U[l].bytes() + W[l].bytes() + a[l].byteSize();
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
        return "QuantizedRnn[n=" + n + ", d=" + d + ", k=" + k + ", layers=" + U.length + ", nonlinearity=" + f.id() + ", output=" + output.id() + ", " + scheme.id() + "]";
    }
}
