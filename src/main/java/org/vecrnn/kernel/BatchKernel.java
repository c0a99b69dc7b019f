package org.vecrnn.kernel;

/**
 * The fp32 kernels for known sequences, as matrix products over many rows at once:
 * the input projection {@code P = X Uᵀ + a} of many time steps in one product, then per time step the
 * recurrence of a whole batch of sequences {@code H_t = tanh(H_{t-1} Wᵀ + P_t)} and the head
 * {@code Z_t = H_t Vᵀ + b}, each one product. Immutable after construction and shareable between threads.
 *
 * <p>Rows of x are {@code n} floats apart. Rows of d-vectors (p, h) are {@link #hStride()} floats apart and
 * rows of z {@link #zStride()} apart; the padding lanes of p and h rows must be zero and stay zero.
 *
 * <p>This is a small GEMM interface of the kernel's own; with OpenBLAS loaded, {@code infer.BlasProducts}
 * takes over {@link #project} and the head, and only {@link #recur} runs here.
 */
public interface BatchKernel extends AutoCloseable {
    int n();

    int d();

    int k();

    int hStride();

    int zStride();

    /** p[r] = U x[r] + a for rows r in [0, rows). */
    void project(float[] x, int xOff, int rows, float[] p, int pOff);

    /** hNext[r] = tanh(W hPrev[r] + p[r]) for rows r in [0, rows): one time step of {@code rows} sequences. */
    void recur(float[] hPrev, int hOff, float[] p, int pOff, int rows, float[] hNext, int nOff);

    /** z[r] = V h[r] + b for rows r in [0, rows). */
    void heads(float[] h, int hOff, int rows, float[] z, int zOff);

    String describe();

    @Override
    void close();
}
