package org.vecrnn.kernel;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.vecrnn.RandomModels;
import org.vecrnn.model.ElmanRnn;
import org.vecrnn.model.Output;
import org.vecrnn.model.Parameters;

/**
 * The Vector API step kernel against the scalar reference on awkward sizes. The tolerance is the float
 * rounding bound of the two dot products, not a guess: a float sum of m products, in any order, is within
 * m·u·Σ|terms| of the exact sum (u = 2⁻²⁴, first order, FMA or not), so the two kernels differ by at most
 * 2(m+1)·u·Σ|terms| before tanh; tanh is 1-Lipschitz and each side's tanh adds at most a few ulp of 1
 * ({@link #TANH_ERR}).
 */
class VectorStepKernelTest {
    static final double U = 0x1p-24;
    /** Math.tanh (1 ulp) plus SVML (0.6 ulp) or the rational tanh (2.95e-7, see VectorTanh), rounded up. */
    static final double TANH_ERR = 4e-7;

    static final int[] SIZES = {1, 3, 15, 16, 17, 33, 65, 100, 257};

    record Case(int n, int d, int k, long seed) {
        @Override
        public String toString() {
            return "n=" + n + " d=" + d + " k=" + k + " seed=" + seed;
        }
    }

    static List<Case> cases() {
        List<Case> all = new ArrayList<>();
        long seed = 42;
        for (int s : SIZES) {
            all.add(new Case(s, s, s, seed++));
            all.add(new Case(5, s, 3, seed++));
            all.add(new Case(s, 17, 1, seed++));
        }
        return all;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void stepAndHeadMatchScalar(Case c) {
        // scale 3: pre-activations well outside the linear part of tanh, so saturation is covered too
        try (ElmanRnn m = RandomModels.model(c.n, c.d, c.k, Output.IDENTITY, 3.0, c.seed);
             StepKernel ref = new ScalarStepKernel(m); StepKernel vec = new VectorStepKernel(m)) {
            Parameters p = m.parameters();
            float[] h = RandomModels.uniform(c.d, 1, c.seed + 1000), x = RandomModels.uniform(c.n, 2, c.seed + 2000);
            float[] want = new float[c.d], got = new float[c.d];
            ref.step(h, x, want);
            vec.step(h, x, got);
            for (int i = 0; i < c.d; i++) {
                double mag = Math.abs(p.a()[i]);
                for (int j = 0; j < c.d; j++) mag += Math.abs(p.W()[i * c.d + j] * h[j]);
                for (int j = 0; j < c.n; j++) mag += Math.abs(p.U()[i * c.n + j] * x[j]);
                double tol = 2 * (c.d + c.n + 1) * U * mag + TANH_ERR;
                assertTrue(Math.abs(got[i] - want[i]) <= tol, c + " step row " + i + ": " + got[i] + " vs " + want[i] + " tol " + tol);
            }

            float[] proj = RandomModels.uniform(c.d + 3, 2, c.seed + 3000);
            ref.stepProjected(h, proj, 3, want);
            vec.stepProjected(h, proj, 3, got);
            for (int i = 0; i < c.d; i++) {
                double mag = Math.abs(proj[3 + i]);
                for (int j = 0; j < c.d; j++) mag += Math.abs(p.W()[i * c.d + j] * h[j]);
                double tol = 2 * (c.d + 1) * U * mag + TANH_ERR;
                assertTrue(Math.abs(got[i] - want[i]) <= tol, c + " stepProjected row " + i + ": " + got[i] + " vs " + want[i]);
            }

            float[] zWant = new float[c.k], zGot = new float[c.k];
            ref.head(h, zWant);
            vec.head(h, zGot);
            for (int i = 0; i < c.k; i++) {
                double mag = Math.abs(p.b()[i]);
                for (int j = 0; j < c.d; j++) mag += Math.abs(p.V()[i * c.d + j] * h[j]);
                double tol = 2 * (c.d + 1) * U * mag;
                assertTrue(Math.abs(zGot[i] - zWant[i]) <= tol, c + " head row " + i + ": " + zGot[i] + " vs " + zWant[i]);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void batchKernelMatchesScalar(Case c) {
        int rows = 7; // not a multiple of the 4-row tile
        try (ElmanRnn m = RandomModels.model(c.n, c.d, c.k, Output.IDENTITY, 3.0, c.seed);
             BatchKernel ref = new ScalarBatchKernel(m); BatchKernel vec = new VectorBatchKernel(m)) {
            Parameters p = m.parameters();
            float[] x = RandomModels.uniform(rows * c.n, 2, c.seed + 4000);
            float[] pr = new float[rows * c.d], pv = new float[rows * vec.hStride()];
            ref.project(x, 0, rows, pr, 0);
            vec.project(x, 0, rows, pv, 0);
            for (int r = 0; r < rows; r++)
                for (int i = 0; i < c.d; i++) {
                    double mag = Math.abs(p.a()[i]);
                    for (int j = 0; j < c.n; j++) mag += Math.abs(p.U()[i * c.n + j] * x[r * c.n + j]);
                    double tol = 2 * (c.n + 1) * U * mag;
                    assertTrue(Math.abs(pv[r * vec.hStride() + i] - pr[r * c.d + i]) <= tol, c + " project " + r + "," + i);
                }
            // recur from the scalar projection (copied into the padded layout) so only the recurrence differs
            float[] h = RandomModels.uniform(rows * c.d, 1, c.seed + 5000);
            float[] hv = pad(h, rows, c.d, vec.hStride()), pp = pad(pr, rows, c.d, vec.hStride());
            float[] nr = new float[rows * c.d], nv = new float[rows * vec.hStride()];
            ref.recur(h, 0, pr, 0, rows, nr, 0);
            vec.recur(hv, 0, pp, 0, rows, nv, 0);
            float[] zr = new float[rows * c.k], zv = new float[rows * vec.zStride()];
            ref.heads(h, 0, rows, zr, 0);
            vec.heads(hv, 0, rows, zv, 0);
            for (int r = 0; r < rows; r++) {
                for (int i = 0; i < c.d; i++) {
                    double mag = Math.abs(pr[r * c.d + i]);
                    for (int j = 0; j < c.d; j++) mag += Math.abs(p.W()[i * c.d + j] * h[r * c.d + j]);
                    double tol = 2 * (c.d + 1) * U * mag + TANH_ERR;
                    assertTrue(Math.abs(nv[r * vec.hStride() + i] - nr[r * c.d + i]) <= tol, c + " recur " + r + "," + i);
                }
                for (int i = vec.d(); i < vec.hStride(); i++) assertTrue(nv[r * vec.hStride() + i] == 0, "padding stays zero");
                for (int i = 0; i < c.k; i++) {
                    double mag = Math.abs(p.b()[i]);
                    for (int j = 0; j < c.d; j++) mag += Math.abs(p.V()[i * c.d + j] * h[r * c.d + j]);
                    double tol = 2 * (c.d + 1) * U * mag;
                    assertTrue(Math.abs(zv[r * vec.zStride() + i] - zr[r * c.k + i]) <= tol, c + " heads " + r + "," + i);
                }
            }
        }
    }

    static float[] pad(float[] v, int rows, int len, int stride) {
        float[] out = new float[rows * stride];
        for (int r = 0; r < rows; r++) System.arraycopy(v, r * len, out, r * stride, len);
        return out;
    }

    /**
     * Sizes whose column blocks are of every kind (8, 4 and 1 vectors, the last partial) at 256 and 512 bits;
     * at d = 1500 (n = 37) a block of 8 vectors is larger than ColumnBlocks.MAX_BLOCK_BYTES at 512 bits, so
     * all are of 4.
     */
    static List<Case> blockCases() {
        List<Case> all = new ArrayList<>();
        long seed = 7000;
        for (int d : new int[] {1, 17, 100, 197, 257, 389, 1000, 1500}) all.add(new Case(d % 61 + 1, d, 3, seed++));
        return all;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("blockCases")
    void backwardPassGivesTheSameBits(Case c) {
        try (ElmanRnn m = RandomModels.model(c.n, c.d, c.k, Output.IDENTITY, 3.0, c.seed);
             StepKernel vec = new VectorStepKernel(m)) {
            float[] h = RandomModels.uniform(c.d, 1, c.seed + 1000), x = RandomModels.uniform(c.n, 2, c.seed + 2000);
            float[] forward = new float[c.d], backward = new float[c.d];
            java.util.Arrays.fill(backward, Float.NaN);
            vec.step(h, x, forward, false);
            vec.step(h, x, backward, true);
            for (int i = 0; i < c.d; i++)
                assertTrue(Float.floatToRawIntBits(forward[i]) == Float.floatToRawIntBits(backward[i]),
                        c + " h[" + i + "]: " + forward[i] + " forward, " + backward[i] + " backward");
        }
    }
}
