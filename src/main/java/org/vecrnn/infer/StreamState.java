package org.vecrnn.infer;

import org.vecrnn.generate.Decoder;
import org.vecrnn.kernel.Activation;
import org.vecrnn.kernel.StepKernel;

/**
 * One stream's state over a shared {@link InferenceModel}: the hidden state h and the scratch buffers of a
 * step. Used by one thread at a time (not synchronized; a service hands a stream from thread to thread with
 * its own happens-before, e.g. a queue). {@link #step} allocates nothing.
 */
public final class StreamState implements Decoder {
    private final StepKernel kernel;
    private final Activation g;
    private final int n, d, k;
    private float[] h, hNext;
    private final float[] z;
    /** The direction of the next step's pass over the weights: alternated, see {@link StepKernel#step(float[], float[], float[], boolean)}. */
    private boolean backward;

    StreamState(StepKernel kernel, Activation g) {
        this.kernel = kernel;
        this.g = g;
        this.n = kernel.n();
        this.d = kernel.d();
        this.k = kernel.k();
        this.h = new float[d];
        this.hNext = new float[d];
        this.z = new float[k];
    }

    @Override public int n() { return n; }
    @Override public int d() { return d; }
    @Override public int k() { return k; }

    /**
     * One time step: h = tanh(W h + U x + a), then out[0, k) = g(V h + b).
     * @param x n input values (the array's length must be n)
     * @param out at least k values
     */
    @Override
    public void step(float[] x, float[] out) {
        if (x.length != n) throw new IllegalArgumentException("x has " + x.length + " values, the model takes n=" + n);
        if (out.length < k) throw new IllegalArgumentException("out has room for " + out.length + " values, the model gives k=" + k);
        kernel.step(h, x, hNext, backward);
        backward = !backward;
        float[] t = h;
        h = hNext;
        hNext = t;
        kernel.head(h, z);
        g.apply(z, 0, out, 0, k);
    }

    /** h back to zeros: the next step starts a new sequence. */
    public void reset() {
        java.util.Arrays.fill(h, 0f);
    }

    /** Copies h (d values) into dst, e.g. to move this stream to another machine or thread. */
    @Override
    public void saveState(float[] dst) {
        if (dst.length != d) throw new IllegalArgumentException("state array has " + dst.length + " values, expected d=" + d);
        System.arraycopy(h, 0, dst, 0, d);
    }

    /** Sets h from src (d finite values), e.g. a state saved by {@link #saveState} or an h0. */
    @Override
    public void restoreState(float[] src) {
        if (src.length != d) throw new IllegalArgumentException("state array has " + src.length + " values, expected d=" + d);
        for (int i = 0; i < d; i++)
            if (!Float.isFinite(src[i])) throw new IllegalArgumentException("state value " + i + " is not finite: " + src[i]);
        System.arraycopy(src, 0, h, 0, d);
    }
}
