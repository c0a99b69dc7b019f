package org.vecrnn.kernel;

import org.vecrnn.model.ElmanRnn;
import org.vecrnn.model.Nonlinearity;
import org.vecrnn.model.Parameters;

/** The batch kernels as plain loops (the reference beside {@link VectorBatchKernel}); strides are d and k. */
final class ScalarBatchKernel implements BatchKernel {
    private final int n, d, k;
    private final float[] U, W, a, V, b;
    private final Nonlinearity f;
    private volatile boolean closed;

    ScalarBatchKernel(ElmanRnn model) {
        Kernels.checkOneLayer(model);
        f = model.nonlinearity();
        Parameters p = model.parameters();
        n = model.n();
        d = model.d();
        k = model.k();
        U = p.U();
        W = p.W();
        a = p.a();
        V = p.V();
        b = p.b();
    }

    @Override public int n() { return n; }
    @Override public int d() { return d; }
    @Override public int k() { return k; }
    @Override public int hStride() { return d; }
    @Override public int zStride() { return k; }

    @Override
    public void project(float[] x, int xOff, int rows, float[] p, int pOff) {
        if (closed) throw new IllegalStateException("this kernel has been closed"); // every run starts here
        for (int r = 0; r < rows; r++) affine(U, n, d, x, xOff + r * n, a, p, pOff + r * d);
    }

    @Override
    public void recur(float[] hPrev, int hOff, float[] p, int pOff, int rows, float[] hNext, int nOff) {
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < d; i++) {
                float s = 0;
                for (int j = 0; j < d; j++) s += W[i * d + j] * hPrev[hOff + r * d + j];
                hNext[nOff + r * d + i] = f.apply(s + p[pOff + r * d + i]);
            }
        }
    }

    @Override
    public void heads(float[] h, int hOff, int rows, float[] z, int zOff) {
        for (int r = 0; r < rows; r++) affine(V, d, k, h, hOff + r * d, b, z, zOff + r * k);
    }

    /** out = M v + bias for M [rows, cols]. */
    private static void affine(float[] M, int cols, int outs, float[] v, int vOff, float[] bias, float[] out, int oOff) {
        for (int i = 0; i < outs; i++) {
            float s = 0;
            for (int j = 0; j < cols; j++) s += M[i * cols + j] * v[vOff + j];
            out[oOff + i] = s + bias[i];
        }
    }

    @Override
    public String describe() {
        return "fp32 scalar reference";
    }

    @Override
    public void close() {
        closed = true;
    }
}
