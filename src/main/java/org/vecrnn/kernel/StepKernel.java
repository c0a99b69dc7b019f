package org.vecrnn.kernel;

/**
 * One model's weights prepared for a kernel (fp32 or int8, scalar or Vector API): the fused recurrent step
 * and the output head. Immutable after construction and safe to share between threads; all per-stream
 * state lives in the caller's arrays. Implementations allocate nothing per call.
 */
public interface StepKernel extends AutoCloseable {
    int n();

    int d();

    int k();

    /** {@code hNext = tanh(W h + U x + a)}; hNext must not alias h. */
    void step(float[] h, float[] x, float[] hNext);

    /**
     * The same step, the weights read from their end when {@code backward}: the same result, bit for bit
     * (only the order of independent outputs changes). A caller that alternates the direction from step to
     * step starts each step on the weights that the step before read last, still in the core's cache: for a
     * model somewhat larger than L2, part of a step's reads then come from L2 rather than L3. A hint: kernels for
     * which the order does not matter ignore it.
     */
    default void step(float[] h, float[] x, float[] hNext, boolean backward) {
        step(h, x, hNext);
    }

    /**
     * m streams in one pass over the weights: {@code hNext[s] = tanh(W h[s] + U x[s] + a)} for {@code s < m}, the same
     * bits as {@code step(h[s], x[s], hNext[s])} for each s (the Vector API kernels compute every output with
     * the single step's operations in its order; this default is that loop). An output array must not be
     * any stream's h or x (checked for its own stream). Streams are independent: any mix of states.
     */
    default void stepGroup(float[][] h, float[][] x, float[][] hNext, int m) {
        GroupChecks.check(h, x, hNext, m, d(), n(), d());
        for (int s = 0; s < m; s++) step(h[s], x[s], hNext[s]);
    }

    /** {@code z[s] = V h[s] + b} for {@code s < m}, the same bits as {@link #head} for each stream. */
    default void headGroup(float[][] h, float[][] z, int m) {
        GroupChecks.check(h, null, z, m, d(), n(), k());
        for (int s = 0; s < m; s++) head(h[s], z[s]);
    }

    /** {@code hNext = tanh(W h + p)}, where {@code p = U x + a} was computed beforehand (d values at pOff). */
    void stepProjected(float[] h, float[] p, int pOff, float[] hNext);

    /** {@code z = V h + b} (k values). */
    void head(float[] h, float[] z);

    /**
     * Whether v[off, off + len) holds only finite values, checked as this kernel's family checks: {@link Kernels#allFinite}
     * by default; a plain Java kernel checks with a plain loop, which runs at full speed before the JIT has
     * compiled anything of the Vector API.
     */
    default boolean allFinite(float[] v, int off, int len) {
        return Kernels.allFinite(v, off, len);
    }

    /** Bytes of weight memory the kernel reads per step. */
    long weightBytes();

    /** What runs, for logs and benchmark tables, e.g. "fp32 Vector API 512-bit". */
    String describe();

    /** Frees native weight memory; closing twice is harmless. */
    @Override
    void close();
}
