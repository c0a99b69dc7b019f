package org.vecrnn.quant;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.vecrnn.model.ElmanRnn;
import org.vecrnn.model.Output;

/**
 * An Elman RNN with int8 weights, in the seed's names:
 * <pre>
 *   h_t = tanh(W h_{t-1} + U x_t + a)      U, W: int8 with scales; a: float
 *   o_t = g(V h_t + b)                     V: int8 with scales;    b: float
 * </pre>
 * At d = 1024 the fp32 U, W, V take 6.4 MB and stream from L3 at every step; as int8 they take 1.6 MB and
 * stay in L2. Like {@link ElmanRnn}: immutable, safe to share between threads, parameters in read-only
 * 64-byte aligned native memory, {@link #close()} frees it and a closed model refuses every use.
 */
public final class QuantizedRnn implements AutoCloseable {
    private final int n, d, k;
    private final Output output;
    private final Int8Scheme scheme;
    private final Arena arena;
    private final Int8Matrix U, W, V;
    private final MemorySegment a, b;

    private QuantizedRnn(int n, int d, int k, Output output, Int8Weights U, Int8Weights W, float[] a, Int8Weights V, float[] b) {
        this.n = n;
        this.d = d;
        this.k = k;
        this.output = output;
        this.scheme = W.scheme();
        this.arena = Arena.ofShared();
        this.U = matrix(U);
        this.W = matrix(W);
        this.V = matrix(V);
        this.a = floats(a);
        this.b = floats(b);
    }

    /** A model from its parts; every shape, scale and value is checked (IllegalArgumentException). */
    public static QuantizedRnn of(int n, int d, int k, Output output, Int8Weights U, Int8Weights W, float[] a, Int8Weights V, float[] b) {
        if (n < 1 || d < 1 || k < 1) throw new IllegalArgumentException("sizes must be positive: n=" + n + " d=" + d + " k=" + k);
        if (output == null) throw new IllegalArgumentException("output activation is null");
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
        return new QuantizedRnn(n, d, k, output, U, W, a, V, b);
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

    public int n() { return n; }
    public int d() { return d; }
    public int k() { return k; }
    public Output output() { return output; }
    public Int8Scheme scheme() { return scheme; }

    /** U [d, n] as int8 with scales. */
    public Int8Matrix U() { return live(U); }
    /** W [d, d]. */
    public Int8Matrix W() { return live(W); }
    /** V [k, d]. */
    public Int8Matrix V() { return live(V); }
    /** a [d], read-only native floats. */
    public MemorySegment a() { return live(a); }
    /** b [k]. */
    public MemorySegment b() { return live(b); }

    private <T> T live(T t) {
        if (!arena.scope().isAlive()) throw new IllegalStateException("this quantized model has been closed");
        return t;
    }

    /** Heap copies, as the file holds them. */
    public Int8Weights weights(String name) {
        Int8Matrix m = switch (name) {
            case "U" -> U();
            case "W" -> W();
            case "V" -> V();
            default -> throw new IllegalArgumentException("no int8 matrix '" + name + "' (U, W or V)");
        };
        return new Int8Weights(m.rows(), m.cols(), m.scheme(), m.q().toArray(ValueLayout.JAVA_BYTE), m.scales().toArray(ValueLayout.JAVA_FLOAT));
    }

    public float[] aValues() {
        return a().toArray(ValueLayout.JAVA_FLOAT);
    }

    public float[] bValues() {
        return b().toArray(ValueLayout.JAVA_FLOAT);
    }

    /** Bytes of parameter memory (int8 matrices, their scales and the float biases). */
    public long bytes() {
        return U.bytes() + W.bytes() + V.bytes() + a.byteSize() + b.byteSize();
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
        return "QuantizedRnn[n=" + n + ", d=" + d + ", k=" + k + ", output=" + output.id() + ", " + scheme.id() + "]";
    }
}
