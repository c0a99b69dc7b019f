package org.vecrnn.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.vecrnn.RandomModels;
import org.vecrnn.kernel.Int8Kernels;
import org.vecrnn.kernel.Kernels;
import org.vecrnn.kernel.StepKernel;
import org.vecrnn.model.ElmanRnn;
import org.vecrnn.model.Nonlinearity;
import org.vecrnn.model.Output;
import org.vecrnn.model.Parameters;
import org.vecrnn.quant.Int8Scheme;
import org.vecrnn.quant.QuantizedRnn;
import org.vecrnn.quant.Quantizer;

/**
 * The non-finite rule (StreamState's javadoc) on every kernel path: finite inputs that overflow a hidden value
 * or an output give NonFiniteStateException, the overflowing stream keeps its state, and nothing non-finite is
 * handed back. Paths: the single step, the grouped step (StreamGroup, groups of 5 = strips of 4 and 1), and
 * forward (the batch kernels with and without OpenBLAS, and step by step), over the fp32 Vector API kernel
 * (this class runs twice in the build, at the CPU's width and at 256 bits), the fp32 scalar kernel and the int8
 * kernels (both schemes, Vector API and scalar).
 *
 * <p>d = 229 makes every kind of column block of the Vector API kernels: at 16 lanes, blocks of 8, 4 and 1 vectors
 * and a partial one; at 8 lanes, three blocks of 8, one of 4 and a partial one. The overflowing row is put in
 * each in turn. Only one row (and only one stream, one sequence, one step) overflows; the rest stays small.
 * <ul>
 * <li>relu: U's row r is 3e38 throughout; x = 2 makes U x = +inf, relu keeps it: every kernel overflows.</li>
 * <li>tanh: U's row r is [3e38, -3e38, ...]; the two products land in different accumulators of every fp32
 *     kernel (the scalar one rounds each product), so +inf + -inf = NaN. Not for int8: there the row's two
 *     quantized products cancel exactly before the scale is applied, and the state stays finite.</li>
 * <li>output: x_0 = 1 drives every h to tanh(20) = 1 and V's row r is 3e38 throughout: z_r = +inf, which the
 *     sigmoid would turn into a harmless-looking 1 if it were checked only after g.</li>
 * </ul>
 */
class NonFiniteEveryPathTest {
    static final int N = 4, D = 229, K = 5, T = 3, B = 3, GROUP = 5, BAD = 3;
    static final long SEED = 1940;
    static final float HUGE = 3e38f;

    enum Case { RELU_STATE, TANH_STATE, OUTPUT }

    /** The model of a case with its overflow in row r (of U for the state cases, of V for the output case). */
    static ElmanRnn model(Case c, int r) {
        SplittableRandom rnd = new SplittableRandom(SEED + r);
        float[] U = RandomModels.uniform(rnd, D * N, 0.1), W = RandomModels.uniform(rnd, D * D, 0.1), a = new float[D],
                V = RandomModels.uniform(rnd, K * D, 0.1), b = RandomModels.uniform(rnd, K, 0.1);
        switch (c) {
            case RELU_STATE -> { for (int j = 0; j < N; j++) U[r * N + j] = HUGE; }
            case TANH_STATE -> { U[r * N] = HUGE; U[r * N + 1] = -HUGE; }
            case OUTPUT -> {
                for (int i = 0; i < D; i++) U[i * N] = 20;
                java.util.Arrays.fill(W, 0); // h stays 1 where x_0 = 1, and 0 from x = 0 and h = 0
                for (int j = 0; j < D; j++) V[(r % K) * D + j] = HUGE;
            }
        }
        Nonlinearity f = c == Case.RELU_STATE ? Nonlinearity.RELU : Nonlinearity.TANH;
        return ElmanRnn.of(N, D, K, Output.SIGMOID, f, new Parameters(U, W, a, V, b));
    }

    /** The input that overflows, and one that does not. */
    static float[] bad(Case c) {
        return c == Case.OUTPUT ? new float[] {1, 0, 0, 0} : new float[] {2, 2, 2, 2};
    }

    static float[] good(Case c) {
        return c == Case.OUTPUT ? new float[N] : new float[] {1e-30f, 1e-30f, 1e-30f, 1e-30f};
    }

    /** A kernel family: the model it runs (fp32 as given, or int8 of a scheme), owned by the InferenceModel made. */
    record Family(String name, boolean int8, Function<ElmanRnn, InferenceModel> make) {
        @Override public String toString() { return name; }
    }

    static List<Family> families() {
        List<Family> fs = new ArrayList<>();
        fs.add(new Family("fp32 " + Kernels.chosen(), false, InferenceModel::javaKernels));
        fs.add(new Family("fp32 chosen + OpenBLAS when loaded", false, InferenceModel::of));
        fs.add(new Family("fp32 scalar", false, InferenceModel::scalar));
        for (Int8Scheme s : Int8Scheme.values()) {
            fs.add(new Family(s.id() + " Vector API", true, m -> int8(m, s, true)));
            fs.add(new Family(s.id() + " scalar", true, m -> int8(m, s, false)));
        }
        return fs;
    }

    /** An int8 model whose kernel owns the quantized weights: closing the InferenceModel frees both. */
    static InferenceModel int8(ElmanRnn m, Int8Scheme s, boolean vector) {
        QuantizedRnn q = Quantizer.quantize(m, s);
        StepKernel k = vector ? Int8Kernels.vector(q) : Int8Kernels.scalar(q);
        return new InferenceModel(new Owning(k, q), q.output());
    }

    /** A borrowing int8 kernel that also closes its model. */
    record Owning(StepKernel kernel, QuantizedRnn model) implements StepKernel {
        @Override public int n() { return kernel.n(); }
        @Override public int d() { return kernel.d(); }
        @Override public int k() { return kernel.k(); }
        @Override public void step(float[] h, float[] x, float[] hNext) { kernel.step(h, x, hNext); }
        @Override public void step(float[] h, float[] x, float[] hNext, boolean backward) { kernel.step(h, x, hNext, backward); }
        @Override public void stepGroup(float[][] h, float[][] x, float[][] hNext, int m) { kernel.stepGroup(h, x, hNext, m); }
        @Override public void headGroup(float[][] h, float[][] z, int m) { kernel.headGroup(h, z, m); }
        @Override public void stepProjected(float[] h, float[] p, int pOff, float[] hNext) { kernel.stepProjected(h, p, pOff, hNext); }
        @Override public void head(float[] h, float[] z) { kernel.head(h, z); }
        @Override public long weightBytes() { return kernel.weightBytes(); }
        @Override public String describe() { return kernel.describe(); }
        @Override public void close() { kernel.close(); model.close(); }
    }

    /** Rows in each kind of column block at 16 and at 8 lanes (see the class comment), and the last one. */
    static final int[] ROWS = {0, 130, 220, 228};

    static java.util.stream.IntStream rows() {
        return java.util.stream.IntStream.of(ROWS);
    }

    static Stream<Arguments> cases() {
        List<Arguments> as = new ArrayList<>();
        for (Family f : families())
            for (Case c : Case.values()) {
                if (c == Case.TANH_STATE && f.int8()) continue;
                for (int r : ROWS) as.add(Arguments.of(f, c, r));
            }
        return as.stream();
    }

    @ParameterizedTest(name = "{0}, {1}, row {2}")
    @MethodSource("cases")
    void aSingleStepThatOverflowsIsReportedAndTheStateKept(Family f, Case c, int r) {
        try (ElmanRnn m = model(c, r); InferenceModel im = f.make().apply(m)) {
            StreamState s = im.newStream();
            float[] o = new float[K], before = new float[im.stateSize()], after = new float[im.stateSize()];
            s.step(good(c), o);
            s.saveState(before);
            float[] oBefore = o.clone();
            NonFiniteStateException e = assertThrows(NonFiniteStateException.class, () -> s.step(bad(c), o));
            String what = c == Case.OUTPUT ? "output " + r % K + " " : "hidden value " + r + " ";
            assertTrue(e.getMessage().contains(what) && e.getMessage().contains("the state is unchanged"), e.getMessage());
            s.saveState(after);
            assertArrayEquals(before, after, "the state is kept");
            assertArrayEquals(oBefore, o, "the output is not written");
            s.step(good(c), o); // and the stream goes on
            for (float v : o) assertTrue(Float.isFinite(v));
        }
    }

    @ParameterizedTest(name = "{0}, {1}, row {2}")
    @MethodSource("cases")
    void aGroupedStepReportsTheStreamThatOverflowsAndStepsTheOthers(Family f, Case c, int r) {
        try (ElmanRnn m = model(c, r); InferenceModel im = f.make().apply(m)) {
            StreamState[] streams = new StreamState[GROUP], alone = new StreamState[GROUP];
            float[][] xs = new float[GROUP][], outs = new float[GROUP][K];
            for (int i = 0; i < GROUP; i++) {
                streams[i] = im.newStream();
                alone[i] = im.newStream();
                xs[i] = i == BAD ? bad(c) : good(c);
            }
            float[] before = new float[im.stateSize()], after = new float[im.stateSize()];
            streams[BAD].saveState(before);
            float[][] kept = new float[GROUP][];
            for (int i = 0; i < GROUP; i++) kept[i] = outs[i].clone();
            StreamGroup g = im.newGroup(GROUP);
            NonFiniteStateException e = assertThrows(NonFiniteStateException.class, () -> g.step(streams, xs, outs, GROUP));
            assertTrue(e.getMessage().contains("the state is unchanged"), e.getMessage());
            streams[BAD].saveState(after);
            assertArrayEquals(before, after, "the overflowing stream keeps its state");
            assertArrayEquals(kept[BAD], outs[BAD], "its output is not written");
            for (int i = 0; i < GROUP; i++) {
                if (i == BAD) continue;
                float[] o = new float[K];
                alone[i].step(xs[i], o);
                assertArrayEquals(o, outs[i], "stream " + i + " steps as it would alone");
            }
        }
    }

    /** Sequence 1, step 1 overflows; every other step is small. */
    @ParameterizedTest(name = "{0}, {1}, row {2}")
    @MethodSource("cases")
    void forwardReportsTheOverflowAndReturnsNothingNonFinite(Family f, Case c, int r) throws Exception {
        float[] x = new float[B * T * N];
        for (int i = 0; i < B * T; i++) System.arraycopy(i == T + 1 ? bad(c) : good(c), 0, x, i * N, N);
        try (ElmanRnn m = model(c, r); InferenceModel im = f.make().apply(m); ExecutorService pool = Executors.newFixedThreadPool(2)) {
            for (int parts : new int[] {1, 2}) {
                InferenceModel.Sequences out = null;
                try {
                    out = im.forward(x, B, T, null, pool, parts);
                } catch (NonFiniteStateException e) {
                    assertTrue(e.getMessage().contains("sequence 1, step 1"), e.getMessage());
                }
                if (out == null) continue;
                // a path whose sums happen to stay finite (e.g. one FMA chain: +inf, then -6e38 exactly, is +inf,
                // and tanh gives 1) may answer; never with a non-finite value, and never in the relu and output cases
                if (c != Case.TANH_STATE) fail(f + ": forward answered an overflow of the " + c + " case without a report");
                for (float[] v : new float[][] {out.h(), out.o(), out.hN()})
                    for (float y : v) assertTrue(Float.isFinite(y), "forward returned " + y);
            }
        }
    }

    /** The tanh case overflows every fp32 step kernel: a kernel whose sums stayed finite would pass the test above unseen. */
    @ParameterizedTest(name = "row {0}")
    @MethodSource("rows")
    void theTanhCaseOverflowsEveryFp32StepKernel(int r) {
        try (ElmanRnn m = model(Case.TANH_STATE, r)) {
            for (StepKernel k : new StepKernel[] {Kernels.stepKernel(m), Kernels.scalarStepKernel(m)}) {
                try (k) {
                    float[] h = new float[D], next = new float[D];
                    k.step(h, bad(Case.TANH_STATE), next);
                    assertTrue(Float.isNaN(next[r]), k.describe() + ": " + next[r]);
                    next[r] = 0;
                    for (float v : next) assertTrue(Float.isFinite(v));
                }
            }
        }
    }
}
