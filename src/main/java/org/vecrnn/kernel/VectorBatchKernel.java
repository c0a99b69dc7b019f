package org.vecrnn.kernel;

import java.lang.foreign.Arena;
import org.vecrnn.NativeMemory;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.vecrnn.model.ElmanRnn;
import org.vecrnn.model.Nonlinearity;
import org.vecrnn.model.Parameters;

/**
 * The batch kernels on {@link VectorGemm}: Uᵀ, Wᵀ and Vᵀ packed once ({@link VectorGemm#pack}: transposed,
 * padded to the vector length, in column panels, 64-byte aligned), so each product is an outer-product GEMM
 * with no reductions. Strides of
 * h and p rows are d rounded up to the vector length, of z rows k rounded up.
 */
final class VectorBatchKernel implements BatchKernel {
    private static final int L = VectorStepKernel.S.length();

    private final int n, d, k, dP, kP;
    private final NativeMemory memory = NativeMemory.of(this, "fp32 batch kernel");
    private final Arena arena = memory.arena();
    private final MemorySegment Ut, Wt, Vt;
    private final float[] aRow, bRow;
    private final boolean relu;

    VectorBatchKernel(ElmanRnn model) {
        Kernels.checkOneLayer(model);
        relu = model.nonlinearity() == Nonlinearity.RELU;
        n = model.n();
        d = model.d();
        k = model.k();
        dP = VectorStepKernel.roundUp(d, L);
        kP = VectorStepKernel.roundUp(k, L);
        Parameters p = model.parameters();
        Ut = VectorGemm.pack(arena, p.U(), d, n, dP);
        Wt = VectorGemm.pack(arena, p.W(), d, d, dP);
        Vt = VectorGemm.pack(arena, p.V(), k, d, kP);
        aRow = Arrays.copyOf(p.a(), dP);
        bRow = Arrays.copyOf(p.b(), kP);
    }

    @Override public int n() { return n; }
    @Override public int d() { return d; }
    @Override public int k() { return k; }
    @Override public int hStride() { return dP; }
    @Override public int zStride() { return kP; }

    @Override
    public void project(float[] x, int xOff, int rows, float[] p, int pOff) {
        if (!arena.scope().isAlive()) throw new IllegalStateException("this kernel has been closed"); // every run starts here
        for (int r = 0; r < rows; r++) System.arraycopy(aRow, 0, p, pOff + r * dP, dP);
        VectorGemm.gemmAcc(x, xOff, n, rows, n, Ut, dP, p, pOff, dP);
    }

    @Override
    public void recur(float[] hPrev, int hOff, float[] p, int pOff, int rows, float[] hNext, int nOff) {
        VectorGemm.gemm(hPrev, hOff, dP, rows, d, Wt, dP, p, pOff, hNext, nOff, dP);
        for (int r = 0; r < rows; r++) VectorRelu.hidden(relu, hNext, nOff + r * dP, d);
    }

    @Override
    public void heads(float[] h, int hOff, int rows, float[] z, int zOff) {
        for (int r = 0; r < rows; r++) System.arraycopy(bRow, 0, z, zOff + r * kP, kP);
        VectorGemm.gemmAcc(h, hOff, dP, rows, d, Vt, kP, z, zOff, kP);
    }

    @Override
    public String describe() {
        return "fp32 Vector API " + VectorStepKernel.S.vectorBitSize() + "-bit batch GEMM";
    }

    @Override
    public void close() {
        synchronized (arena) {
            memory.close();
        }
    }
}
