package org.vecrnn.infer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import org.vecrnn.generate.Decoder;
import org.vecrnn.kernel.Activation;
import org.vecrnn.kernel.StepKernel;
import org.vecrnn.model.Preprocessing;

/**
 * One stream's state over a shared {@link InferenceModel}: the hidden state of every layer and the scratch
 * buffers of a step. Used by one thread at a time (not synchronized; a service hands a stream from thread to
 * thread with its own happens-before, e.g. a queue). {@link #step} allocates nothing.
 *
 * <p>A stacked model is one step kernel per layer: layer l steps on the new state of layer l − 1 (the
 * input x for layer 0), and the last layer's kernel computes the head.
 *
 * <p>Non-finite values, one rule for every path (library, {@code stream}, {@code forward}, Kafka): a step
 * whose x holds NaN or an infinity throws {@link IllegalArgumentException} before it touches the state; a
 * step from finite x whose new state (of any layer) or output would be non-finite throws
 * {@link NonFiniteStateException} and leaves the state of every layer as it was. So the state is always finite, and {@link #saveState} always gives values
 * that {@link #restoreState} takes.
 *
 * <p>Two threads in one stream at once is a caller's bug; it is caught (one compare-and-set per call) and
 * refused with {@link IllegalStateException} in the thread that came second, and the state's two buffers
 * never swap into one. {@link #reset()} always brings a stream back to h = 0.
 */
public final class StreamState implements Decoder {
    private final StepKernel[] layers;
    private final StepKernel top;
    private final Activation g;
    /** The model's input preprocessing for this stream, or null for none. */
    private final Preprocessing.Stream units;
    private final int n, d, k;
    /** Per layer, the two state buffers: h is {@code buf[l][cur]}, the step writes {@code buf[l][1 - cur]}. Never the same array. */
    private final float[][][] buf;
    private int cur;
    private final float[] z;
    /** 1 while a call runs: a second thread entering at the same time is refused. */
    @SuppressWarnings("unused")
    private volatile int busy;
    private static final VarHandle BUSY;

    static {
        try {
            BUSY = MethodHandles.lookup().findVarHandle(StreamState.class, "busy", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
    /** The direction of the next step's pass over the weights: alternated, see {@link StepKernel#step(float[], float[], float[], boolean)}. */
    private boolean backward;

    StreamState(StepKernel kernel, Activation g) {
        this(kernel, g, null);
    }

    StreamState(StepKernel kernel, Activation g, Preprocessing.Stream units) {
        this(new StepKernel[] {kernel}, g, units);
    }

    /** A stream over one step kernel per layer, from the first. */
    StreamState(StepKernel[] layers, Activation g, Preprocessing.Stream units) {
        this.layers = layers.clone();
        this.top = layers[layers.length - 1];
        this.g = g;
        this.units = units;
        this.n = layers[0].n();
        this.d = top.d();
        this.k = top.k();
        this.buf = new float[layers.length][2][d];
        this.z = new float[k];
    }

    @Override public int n() { return n; }
    @Override public int d() { return d; }
    @Override public int k() { return k; }

    /**
     * One time step: for each layer l, h_l = f(W_l h_l + U_l in + a_l) with in = x (preprocessed, if the model
     * says so) for the first layer and the new h of the layer below above it; then out[0, k) = g(V h_L + b).
     * @param x n finite input values (the array's length must be n)
     * @param out at least k values
     * @throws IllegalArgumentException x or out has the wrong size, or x holds NaN or an infinity (state untouched)
     * @throws NonFiniteStateException the new state or output would not be finite (state unchanged, out untouched)
     * @throws IllegalStateException another thread is using this stream, or the model has been closed
     */
    @Override
    public void step(float[] x, float[] out) {
        if (x.length != n) throw new IllegalArgumentException("x has " + x.length + " values, the model takes n=" + n);
        if (out.length < k) throw new IllegalArgumentException("out has room for " + out.length + " values, the model gives k=" + k);
        int badX = Steps.firstNonFinite(layers[0], x, 0, n);
        if (badX >= 0) throw new IllegalArgumentException("x value " + badX + " is not finite: " + x[badX]);
        enter();
        try {
            float[] in = networkInput(x);
            for (int l = 0; l < layers.length; l++) {
                float[] next = buf[l][1 - cur];
                layers[l].step(buf[l][cur], in, next, backward);
                RuntimeException bad = Steps.nonFiniteHidden(layers[l], next, d, l, layers.length);
                if (bad != null) throw bad;
                in = next;
            }
            backward = !backward;
            top.head(in, z);
            RuntimeException bad = Steps.nonFiniteOutput(top, z, k);
            if (bad != null) throw bad;
            cur = 1 - cur;
            g.apply(z, 0, out, 0, k);
            userOutput(x, out);
        } finally {
            exit();
        }
    }

    private void enter() {
        if (!BUSY.compareAndSet(this, 0, 1))
            throw new IllegalStateException("this stream is in use by another thread; a stream has one user at a time");
    }

    private void exit() {
        BUSY.setRelease(this, 0);
    }

    // for StreamGroup, which steps many streams in one pass: their arrays, the swap after a step, the guard
    StepKernel kernel() { return layers[0]; }
    /** Layer l's state h, and the array its next step writes. */
    float[] h(int l) { return buf[l][cur]; }
    float[] hNext(int l) { return buf[l][1 - cur]; }
    /** x as the network sees it: the model's preprocessing applied (in a buffer of this stream's), or x itself. */
    float[] networkInput(float[] x) { return units == null ? x : units.input(x); }
    /** After a step on x that succeeded: out back into the user's units, and x kept for differencing. */
    void userOutput(float[] x, float[] out) { if (units != null) units.output(x, out, k); }
    float[] z() { return z; }

    /** The step's result in hNext becomes h (what {@link #step} does once its checks pass). */
    void advance() {
        cur = 1 - cur;
    }

    /** Takes the stream for a group call; false if a thread (or the same call) already holds it. */
    boolean tryEnter() {
        return BUSY.compareAndSet(this, 0, 1);
    }

    void leave() {
        exit();
    }

    /** The last group call that took this stream: tells "given twice in one call" from "in use by another thread". */
    long groupMark;

    /** Every layer's h back to zeros: the next step starts a new sequence. */
    public void reset() {
        enter();
        try {
            for (float[][] b : buf) {
                Arrays.fill(b[0], 0f);
                Arrays.fill(b[1], 0f);
            }
            cur = 0;
            backward = false;
            if (units != null) units.reset();
        } finally {
            exit();
        }
    }

    /** {@return L, the number of layers} */
    public int layers() {
        return layers.length;
    }

    /**
     * Values of this stream's state: every layer's h (L × d values, layer 0 first), then, for a model whose
     * inputs are differenced ({@link Preprocessing}), the previous input (n values) and whether there is one (1 or 0).
     */
    @Override
    public int stateSize() {
        return layers.length * d + (units == null ? 0 : units.stateSize());
    }

    /** Copies the state ({@link #stateSize} values, h of layer 0 first) into dst, e.g. to move this stream to another machine or thread. */
    @Override
    public void saveState(float[] dst) {
        if (dst.length != stateSize()) throw new IllegalArgumentException("state array has " + dst.length + " values, expected " + sizes());
        enter();
        try {
            for (int l = 0; l < layers.length; l++) System.arraycopy(buf[l][cur], 0, dst, l * d, d);
            if (units != null) units.save(dst, layers.length * d);
        } finally {
            exit();
        }
    }

    /** Sets the state from src ({@link #stateSize} finite values), e.g. a state saved by {@link #saveState} or an h0. */
    @Override
    public void restoreState(float[] src) {
        if (src.length != stateSize()) throw new IllegalArgumentException("state array has " + src.length + " values, expected " + sizes());
        for (int i = 0; i < src.length; i++)
            if (!Float.isFinite(src[i])) throw new IllegalArgumentException("state value " + i + " is not finite: " + src[i]);
        enter();
        try {
            if (units != null) units.restore(src, layers.length * d);
            for (int l = 0; l < layers.length; l++) System.arraycopy(src, l * d, buf[l][cur], 0, d);
        } finally {
            exit();
        }
    }

    /** "16", or "24 (2 layers × d=8, then 8 of input preprocessing)". */
    private String sizes() {
        if (layers.length == 1 && units == null) return Integer.toString(stateSize());
        return stateSize() + " (" + layers.length + " layer" + (layers.length == 1 ? "" : "s") + " × d=" + d
                + (units == null ? "" : ", then " + units.stateSize() + " of input preprocessing") + ")";
    }
}
