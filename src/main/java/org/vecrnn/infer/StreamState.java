package org.vecrnn.infer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import org.vecrnn.generate.Decoder;
import org.vecrnn.kernel.Activation;
import org.vecrnn.kernel.StepKernel;
import org.vecrnn.model.Preprocessing;

/**
 * One stream's state over a shared {@link InferenceModel}: the hidden state h and the scratch buffers of a
 * step. Used by one thread at a time (not synchronized; a service hands a stream from thread to thread with
 * its own happens-before, e.g. a queue). {@link #step} allocates nothing.
 *
 * <p>Non-finite values, one rule for every path (library, {@code stream}, {@code forward}, Kafka): a step
 * whose x holds NaN or an infinity throws {@link IllegalArgumentException} before it touches the state; a
 * step from finite x whose new state or output would be non-finite throws {@link NonFiniteStateException}
 * and leaves the state as it was. So the state is always finite, and {@link #saveState} always gives values
 * that {@link #restoreState} takes.
 *
 * <p>Two threads in one stream at once is a caller's bug; it is caught (one compare-and-set per call) and
 * refused with {@link IllegalStateException} in the thread that came second, and the state's two buffers
 * never swap into one. {@link #reset()} always brings a stream back to h = 0.
 */
public final class StreamState implements Decoder {
    private final StepKernel kernel;
    private final Activation g;
    /** The model's input preprocessing for this stream, or null for none. */
    private final Preprocessing.Stream units;
    private final int n, d, k;
    /** The two state buffers: h is {@code buf[cur]}, the step writes {@code buf[1 - cur]}. Never the same array. */
    private final float[][] buf;
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
        this.kernel = kernel;
        this.g = g;
        this.units = units;
        this.n = kernel.n();
        this.d = kernel.d();
        this.k = kernel.k();
        this.buf = new float[][] {new float[d], new float[d]};
        this.z = new float[k];
    }

    @Override public int n() { return n; }
    @Override public int d() { return d; }
    @Override public int k() { return k; }

    /**
     * One time step: h = tanh(W h + U x + a), then out[0, k) = g(V h + b).
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
        for (int i = 0; i < n; i++)
            if (!Float.isFinite(x[i])) throw new IllegalArgumentException("x value " + i + " is not finite: " + x[i]);
        enter();
        try {
            float[] h = buf[cur], next = buf[1 - cur];
            kernel.step(h, networkInput(x), next, backward);
            backward = !backward;
            int bad = firstNonFinite(next, d);
            if (bad >= 0) throw new NonFiniteStateException("the step would make hidden value " + bad + " " + next[bad]
                    + " from finite inputs (the model's weights are too large); the state is unchanged");
            kernel.head(next, z);
            bad = firstNonFinite(z, k);
            if (bad >= 0) throw new NonFiniteStateException("the step would make output " + bad + " " + z[bad]
                    + " from finite inputs (the model's weights are too large); the state is unchanged");
            cur = 1 - cur;
            g.apply(z, 0, out, 0, k);
            userOutput(x, out);
        } finally {
            exit();
        }
    }

    private static int firstNonFinite(float[] v, int len) {
        for (int i = 0; i < len; i++) if (!Float.isFinite(v[i])) return i;
        return -1;
    }

    private void enter() {
        if (!BUSY.compareAndSet(this, 0, 1))
            throw new IllegalStateException("this stream is in use by another thread; a stream has one user at a time");
    }

    private void exit() {
        BUSY.setRelease(this, 0);
    }

    // for StreamGroup, which steps many streams in one pass: their arrays, the swap after a step, the guard
    StepKernel kernel() { return kernel; }
    float[] h() { return buf[cur]; }
    /** x as the network sees it: the model's preprocessing applied (in a buffer of this stream's), or x itself. */
    float[] networkInput(float[] x) { return units == null ? x : units.input(x); }
    /** After a step on x that succeeded: out back into the user's units, and x kept for differencing. */
    void userOutput(float[] x, float[] out) { if (units != null) units.output(x, out, k); }
    float[] hNext() { return buf[1 - cur]; }
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

    /** h back to zeros: the next step starts a new sequence. */
    public void reset() {
        enter();
        try {
            Arrays.fill(buf[0], 0f);
            Arrays.fill(buf[1], 0f);
            cur = 0;
            backward = false;
            if (units != null) units.reset();
        } finally {
            exit();
        }
    }

    /**
     * Values of this stream's state: h (d values), then, for a model whose inputs are differenced
     * ({@link Preprocessing}), the previous input (n values) and whether there is one (1 or 0).
     */
    public int stateSize() {
        return d + (units == null ? 0 : units.stateSize());
    }

    /** Copies the state ({@link #stateSize} values, h first) into dst, e.g. to move this stream to another machine or thread. */
    @Override
    public void saveState(float[] dst) {
        if (dst.length != stateSize()) throw new IllegalArgumentException("state array has " + dst.length + " values, expected " + stateSize());
        enter();
        try {
            System.arraycopy(buf[cur], 0, dst, 0, d);
            if (units != null) units.save(dst, d);
        } finally {
            exit();
        }
    }

    /** Sets the state from src ({@link #stateSize} finite values), e.g. a state saved by {@link #saveState} or an h0. */
    @Override
    public void restoreState(float[] src) {
        if (src.length != stateSize()) throw new IllegalArgumentException("state array has " + src.length + " values, expected " + stateSize());
        for (int i = 0; i < src.length; i++)
            if (!Float.isFinite(src[i])) throw new IllegalArgumentException("state value " + i + " is not finite: " + src[i]);
        enter();
        try {
            if (units != null) units.restore(src, d);
            System.arraycopy(src, 0, buf[cur], 0, d);
        } finally {
            exit();
        }
    }
}
