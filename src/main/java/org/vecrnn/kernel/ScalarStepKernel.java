package org.vecrnn.kernel;

import org.vecrnn.model.ElmanRnn;
import org.vecrnn.model.Nonlinearity;
import org.vecrnn.model.Parameters;

/**
 * The fp32 scalar reference of one layer: plain loops, float accumulators in index order, {@code Math.tanh}
 * or {@code max(v, 0)}.
 * It is what the Vector API kernel is tested against and what runs when the Vector API is absent or
 * forced off. Weights are heap copies (a reference, not a fast path).
 */
public final class ScalarStepKernel implements StepKernel {
    private final int n, d, k;
    private final float[] U, W, a, V, b;
    private final Nonlinearity f;
    /** Set by {@link #close()}: nothing to free, but a closed kernel refuses use like the native ones. */
    private volatile boolean closed;

    public ScalarStepKernel(ElmanRnn model) {
        Kernels.checkOneLayer(model);
        f = model.nonlinearity();
        Parameters p = model.parameters();
        this.n = model.n();
        this.d = model.d();
        this.k = model.k();
        this.U = p.U();
        this.W = p.W();
        this.a = p.a();
        this.V = p.V();
        this.b = p.b();
    }

    @Override public int n() { return n; }
    @Override public int d() { return d; }
    @Override public int k() { return k; }

    @Override
    public void step(float[] h, float[] x, float[] hNext) {
        check(h, hNext, d);
        if (x == null || x.length < n) throw new IllegalArgumentException("x holds " + (x == null ? 0 : x.length) + " values, expected " + n);
        // U x + a first, then W h + p: the same operations in the same order as ScalarBatchKernel's
        // project and recur, so a stream and a batch give bit-identical results on the scalar path
        for (int i = 0; i < d; i++) {
            float p = 0;
            int u = i * n, w = i * d;
            for (int j = 0; j < n; j++) p += U[u + j] * x[j];
            p += a[i];
            float s = 0;
            for (int j = 0; j < d; j++) s += W[w + j] * h[j];
            hNext[i] = f.apply(s + p);
        }
    }

    @Override
    public void stepProjected(float[] h, float[] p, int pOff, float[] hNext) {
        check(h, hNext, d);
        if (p == null || pOff < 0 || pOff > p.length - d)
            throw new IllegalArgumentException("p holds " + (p == null ? 0 : p.length) + " values, too few for d=" + d + " at offset " + pOff);
        for (int i = 0; i < d; i++) {
            float s = 0;
            int w = i * d;
            for (int j = 0; j < d; j++) s += W[w + j] * h[j];
            hNext[i] = f.apply(s + p[pOff + i]);
        }
    }

    @Override
    public void head(float[] h, float[] z) {
        check(h, z, k);
        for (int i = 0; i < k; i++) {
            float s = 0;
            int v = i * d;
            for (int j = 0; j < d; j++) s += V[v + j] * h[j];
            z[i] = s + b[i];
        }
    }

    /** h (d values) and an output of {@code outLen} values that must not alias h; the kernel must be open. */
    private void check(float[] h, float[] out, int outLen) {
        if (closed) throw new IllegalStateException("this kernel has been closed");
        if (h == null || h.length < d) throw new IllegalArgumentException("h holds " + (h == null ? 0 : h.length) + " values, expected " + d);
        if (out == null || out.length < outLen)
            throw new IllegalArgumentException("output holds " + (out == null ? 0 : out.length) + " values, expected " + outLen);
        if (out == h) throw new IllegalArgumentException("the output must not alias h");
    }

    @Override
    public long weightBytes() {
        return 4L * (U.length + W.length + a.length + V.length + b.length);
    }

    @Override
    public String describe() {
        return "fp32 scalar reference" + (f == Nonlinearity.RELU ? " relu" : "");
    }

    @Override
    public void close() {
        closed = true;
    }
}
