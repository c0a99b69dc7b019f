package org.vecrnn.kernel;

import java.lang.foreign.ValueLayout;
import org.vecrnn.quant.Int8Matrix;
import org.vecrnn.quant.QuantizedRnn;

/**
 * The int8 reference step: plain loops in a fixed order that {@link Int8VectorKernel} must match within float
 * rounding. Per row, each block's products {@code q·v} are summed in float, the block sum is multiplied by
 * its scale once and added to the row's sum (the row scheme is one block):
 * <pre>
 *   pre_i = (Σ_blocks s_ib · Σ_j∈b Wq_ij h_j  +  Σ_blocks t_ib · Σ_j∈b Uq_ij x_j) + a_i,   hNext_i = f(pre_i)
 * </pre>
 * Only the weights are int8; h and x stay float, so no activation rounding is added. Also the fallback
 * when the Vector API is missing. Reads the model's memory in place (no copy).
 */
final class Int8ScalarKernel extends Int8Kernel {
    Int8ScalarKernel(QuantizedRnn model, boolean owns) {
        super(model, owns);
    }

    /** Σ over row i of {@code m} times v[vOff..], in the reference order described above. */
    static float dot(Int8Matrix m, int i, float[] v, int vOff) {
        int cols = m.cols(), len = m.blockLength(), per = m.scalesPerRow();
        long row = (long) i * cols;
        float acc = 0;
        for (int blk = 0; blk < per; blk++) {
            int from = blk * len, to = Math.min(cols, from + len);
            float s = 0;
            for (int j = from; j < to; j++) s += m.q().get(ValueLayout.JAVA_BYTE, row + j) * v[vOff + j];
            acc += s * m.scales().getAtIndex(ValueLayout.JAVA_FLOAT, (long) i * per + blk);
        }
        return acc;
    }

    @Override
    public void step(float[] h, float[] x, float[] hNext) {
        KernelChecks.open(closed, model);
        KernelChecks.step(this, h, x, hNext);
        for (int i = 0; i < d; i++) {
            float pre = (dot(W, i, h, 0) + dot(U, i, x, 0)) + a.getAtIndex(ValueLayout.JAVA_FLOAT, i);
            hNext[i] = f.apply(pre);
        }
    }

    @Override
    public void stepProjected(float[] h, float[] p, int pOff, float[] hNext) {
        KernelChecks.open(closed, model);
        KernelChecks.projected(this, h, p, pOff, hNext);
        for (int i = 0; i < d; i++) hNext[i] = f.apply(dot(W, i, h, 0) + p[pOff + i]);
    }

    @Override
    public void head(float[] h, float[] z) {
        KernelChecks.open(closed, model);
        KernelChecks.head(this, h, z);
        for (int i = 0; i < k; i++) z[i] = dot(V, i, h, 0) + b.getAtIndex(ValueLayout.JAVA_FLOAT, i);
    }

    @Override
    public String describe() {
        return model.scheme().id() + " scalar";
    }
}
