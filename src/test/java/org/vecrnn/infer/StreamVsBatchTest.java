package org.vecrnn.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.vecrnn.RandomModels;
import org.vecrnn.kernel.StepKernel;
import org.vecrnn.model.ElmanRnn;
import org.vecrnn.model.Output;

/**
 * Streaming one step at a time against the batched forward (one thread and two), on random models.
 * <ul>
 * <li>Scalar kernels: the same float operations in the same order, so the results must be bit-identical.</li>
 * <li>Vector API: the fused step (column form) and the batch GEMM (row tiles; the projection and head on
 * OpenBLAS when it loads) sum in different orders.
 * The weights are drawn from U(-1/d, 1/d) and U(-1/n, 1/n)-ish bounds so every row of W has Σ|W_ij| ≤ 1;
 * with tanh 1-Lipschitz the recurrence is then non-expanding and a difference of δ per step stays below
 * t·δ after t steps, δ = 2(d+n+2)·u·(max row magnitude ≤ 3) + the tanh error. That bound is the tolerance.</li>
 * </ul>
 */
class StreamVsBatchTest {
    static final double U = 0x1p-24;

    record Case(int n, int d, int k, int B, int T, Output g, long seed) {
        @Override
        public String toString() {
            return "n=" + n + " d=" + d + " k=" + k + " B=" + B + " T=" + T + " " + g.id() + " seed=" + seed;
        }
    }

    static List<Case> cases() {
        List<Case> all = new ArrayList<>();
        all.add(new Case(1, 1, 1, 1, 1, Output.IDENTITY, 7));
        all.add(new Case(5, 17, 3, 5, 9, Output.SIGMOID, 8));
        all.add(new Case(19, 65, 4, 67, 40, Output.SOFTMAX, 9));   // three groups of 32 sequences, the last short
        all.add(new Case(33, 100, 15, 6, 70, Output.IDENTITY, 10)); // more steps than one time chunk
        all.add(new Case(16, 16, 16, 4, 5, Output.SIGMOID, 11));
        all.add(new Case(7, 33, 5, 64, 12, Output.SIGMOID, 12));   // two whole groups: one per thread
        all.add(new Case(3, 20, 2, 40, 6, Output.SOFTMAX, 13));    // a whole group and a short one
        all.add(new Case(300, 200, 300, 40, 33, Output.SOFTMAX, 14)); // OpenBLAS products cut into several calls
        return all;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void scalarStreamEqualsScalarBatchExactly(Case c) {
        try (ElmanRnn m = RandomModels.model(c.n, c.d, c.k, c.g, 1.0, c.seed); InferenceModel im = InferenceModel.scalar(m)) {
            float[] x = RandomModels.uniform(c.B * c.T * c.n, 2, c.seed + 1), h0 = RandomModels.uniform(c.B * c.d, 1, c.seed + 2);
            float[] h = new float[c.B * c.T * c.d], o = new float[c.B * c.T * c.k];
            InferenceOracleTest.streamAll(im, x, c.B, c.T, h0, h, o);
            InferenceModel.Sequences f = im.forward(x, c.B, c.T, h0);
            assertArrayEquals(h, f.h(), c + " h");
            assertArrayEquals(o, f.o(), c + " o");
            // and the step-by-step path that kernels without a batch form (int8) take: the same h as the scalar
            // batch, and the same o as its own streams (its g is the chosen family's, vectorized for sigmoid)
            try (InferenceModel stepOnly = new InferenceModel(new ScalarOnly(m), m.output())) {
                InferenceModel.Sequences s = stepOnly.forward(x, c.B, c.T, h0);
                assertArrayEquals(h, s.h(), c + " stepwise h");
                float[] h2 = new float[h.length], o2 = new float[o.length];
                InferenceOracleTest.streamAll(stepOnly, x, c.B, c.T, h0, h2, o2);
                assertArrayEquals(o2, s.o(), c + " stepwise o");
            }
        }
    }

    /** The chosen path (input projection and head on OpenBLAS when it loads) and the kernel family alone. */
    static Stream<Arguments> chosenAndJava() {
        return cases().stream().flatMap(c -> Stream.of(Arguments.of(c, "chosen"), Arguments.of(c, "java")));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("chosenAndJava")
    void vectorStreamMatchesVectorBatch(Case c, String path) throws Exception {
        double scale = 1.0 / Math.sqrt(Math.max(c.d, c.n)); // so Σ_j |W_ij| ≤ 1 and Σ_j |U_ij| ≤ 1
        try (ElmanRnn m = RandomModels.model(c.n, c.d, c.k, c.g, scale, c.seed);
             InferenceModel im = path.equals("java") ? InferenceModel.javaKernels(m) : InferenceModel.of(m);
             ExecutorService pool = Executors.newFixedThreadPool(2)) {
            assertEquals(path.equals("chosen") && org.vecrnn.blas.Blas.openBlas().isPresent(), im.describe().contains("input projection and head on OpenBLAS"), im.describe());
            float[] x = RandomModels.uniform(c.B * c.T * c.n, 1, c.seed + 1), h0 = RandomModels.uniform(c.B * c.d, 1, c.seed + 2);
            float[] h = new float[c.B * c.T * c.d], o = new float[c.B * c.T * c.k];
            InferenceOracleTest.streamAll(im, x, c.B, c.T, h0, h, o);
            InferenceModel.Sequences f1 = im.forward(x, c.B, c.T, h0);
            InferenceModel.Sequences f2 = im.forward(x, c.B, c.T, h0, pool, 2);
            assertArrayEquals(f1.h(), f2.h(), c + " two threads give the one-thread h exactly");
            assertArrayEquals(f1.o(), f2.o(), c + " two threads give the one-thread o exactly");
            double delta = 2 * (c.d + c.n + 2) * U * 3 + 4e-7;
            for (int b = 0; b < c.B; b++)
                for (int t = 0; t < c.T; t++)
                    for (int i = 0; i < c.d; i++) {
                        int r = (b * c.T + t) * c.d + i;
                        assertTrue(Math.abs(h[r] - f1.h()[r]) <= (t + 1) * delta, c + " h[" + b + "," + t + "," + i + "]");
                    }
            // o = g(V h + b): V row sums ≤ 1 too, g is at most 1-Lipschitz in the max norm (softmax: 1/2); 2x as slack
            for (int b = 0; b < c.B; b++)
                for (int t = 0; t < c.T; t++)
                    for (int i = 0; i < c.k; i++) {
                        int r = (b * c.T + t) * c.k + i;
                        double tol = 2 * (t + 1) * delta + 2 * (c.d + 2) * U * 2;
                        assertTrue(Math.abs(o[r] - f1.o()[r]) <= tol, c + " o[" + b + "," + t + "," + i + "]");
                    }
        }
    }

    /** The scalar step kernel seen through the StepKernel interface only (as an int8 kernel would be). */
    private static final class ScalarOnly implements StepKernel {
        private final StepKernel k;

        ScalarOnly(ElmanRnn m) {
            k = org.vecrnn.kernel.Kernels.scalarStepKernel(m);
        }

        @Override public int n() { return k.n(); }
        @Override public int d() { return k.d(); }
        @Override public int k() { return k.k(); }
        @Override public void step(float[] h, float[] x, float[] hNext) { k.step(h, x, hNext); }
        @Override public void stepProjected(float[] h, float[] p, int pOff, float[] hNext) { k.stepProjected(h, p, pOff, hNext); }
        @Override public void head(float[] h, float[] z) { k.head(h, z); }
        @Override public long weightBytes() { return k.weightBytes(); }
        @Override public String describe() { return k.describe(); }
        @Override public void close() { k.close(); }
    }
}
