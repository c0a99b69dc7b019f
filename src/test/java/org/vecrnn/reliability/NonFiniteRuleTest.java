package org.vecrnn.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.vecrnn.RandomModels;
import org.vecrnn.infer.InferenceModel;
import org.vecrnn.infer.KernelModels;
import org.vecrnn.infer.NonFiniteStateException;
import org.vecrnn.infer.StreamState;
import org.vecrnn.kernel.Int8Kernels;
import org.vecrnn.model.ElmanRnn;
import org.vecrnn.model.Output;
import org.vecrnn.model.Parameters;
import org.vecrnn.quant.Int8Scheme;
import org.vecrnn.quant.Quantizer;

/**
 * The non-finite rule (StreamState's javadoc): NaN or an infinity in x is refused before the state is
 * touched; a finite x that would make the state or output non-finite is refused with
 * NonFiniteStateException and the state stays as it was; forward follows the same rule.
 */
class NonFiniteRuleTest {
    static final int N = 17, D = 33, K = 5;

    static Stream<Arguments> models() {
        return Stream.of(
                Arguments.of("fp32 chosen", (Function<ElmanRnn, InferenceModel>) InferenceModel::of),
                Arguments.of("fp32 scalar", (Function<ElmanRnn, InferenceModel>) InferenceModel::scalar),
                Arguments.of("int8-row", (Function<ElmanRnn, InferenceModel>) m -> int8(m, Int8Scheme.values()[0])),
                Arguments.of("int8 last scheme", (Function<ElmanRnn, InferenceModel>) m -> int8(m, Int8Scheme.values()[Int8Scheme.values().length - 1])));
    }

    static InferenceModel int8(ElmanRnn m, Int8Scheme s) {
        var q = Quantizer.quantize(m, s);
        return KernelModels.of(Int8Kernels.owning(q), q.output());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void nonFiniteInputIsRefusedBeforeTheStateChanges(String name, Function<ElmanRnn, InferenceModel> make) {
        try (ElmanRnn m = RandomModels.model(N, D, K, Output.SOFTMAX, 1, 5); InferenceModel im = make.apply(m)) {
            StreamState s = im.newStream();
            float[] x = RandomModels.uniform(N, 1, 6), o = new float[K], before = new float[D], after = new float[D];
            s.step(x, o);
            s.saveState(before);
            float[] oBefore = o.clone();
            for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
                float[] xb = x.clone();
                xb[N - 1] = bad;
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.step(xb, o));
                assertTrue(e.getMessage().contains("not finite"), e.getMessage());
                s.saveState(after);
                assertArrayEquals(before, after, name + ": the state must not change");
                assertArrayEquals(oBefore, o, name + ": the output must not be written");
            }
            // and the stream goes on as if the bad steps had never been tried
            StreamState t = im.newStream();
            float[] o1 = new float[K], o2 = new float[K];
            t.step(x, o1);
            t.step(x, o1);
            s.step(x, o2);
            assertArrayEquals(o1, o2);
        }
    }

    /**
     * a = 10 makes h = [1, 1] after a first small step; then x = [2, 2] makes U x = +inf and W h = -inf, and
     * the scalar kernel's (W h) + (U x + a) is NaN. (A kernel that accumulates U x on top of W h in one FMA
     * chain stays at -inf and tanh gives -1: the state overflows only in some kernels.)
     */
    static ElmanRnn overflowingState() {
        float[] U = {3e38f, 3e38f, 3e38f, 3e38f}, W = {-3e38f, -3e38f, -3e38f, -3e38f}, a = {10, 10}, V = {0.5f, 0.5f}, b = {0};
        return ElmanRnn.of(2, 2, 1, Output.IDENTITY, new Parameters(U, W, a, V, b));
    }

    /** h = tanh(10) = 1 in both units and V = [3e38, 3e38]: the output 6e38 overflows in every kernel. */
    static ElmanRnn overflowingOutput() {
        float[] U = new float[4], W = new float[4], a = {10, 10}, V = {3e38f, 3e38f}, b = {0};
        return ElmanRnn.of(2, 2, 1, Output.IDENTITY, new Parameters(U, W, a, V, b));
    }

    static Stream<Arguments> overflows() {
        return Stream.of(
                Arguments.of("state, scalar kernel", true, true),
                Arguments.of("output, chosen kernel", false, false),
                Arguments.of("output, scalar kernel", false, true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overflows")
    void finiteInputsThatOverflowAreReportedAndTheStateIsKept(String name, boolean state, boolean scalar) {
        try (ElmanRnn m = state ? overflowingState() : overflowingOutput();
             InferenceModel im = scalar ? InferenceModel.scalar(m) : InferenceModel.of(m)) {
            StreamState s = im.newStream();
            float[] small = {0.001f, 0.001f}, big = {2, 2}, o = new float[1], before = new float[2], after = new float[2];
            if (state) s.step(small, o); // h = [1, 1]
            s.saveState(before);
            float[] x = state ? big : small;
            float[] oKept = o.clone();
            NonFiniteStateException e = assertThrows(NonFiniteStateException.class, () -> s.step(x, o));
            assertTrue(e.getMessage().contains("state is unchanged"), e.getMessage());
            s.saveState(after);
            assertArrayEquals(before, after);
            assertArrayEquals(oKept, o);
            for (float v : after) assertTrue(Float.isFinite(v));
            s.restoreState(after); // what saveState gives, restoreState takes

            // forward: no NaN or infinity handed back as an answer
            float[] xs = {0.001f, 0.001f, x[0], x[1]};
            NonFiniteStateException f = assertThrows(NonFiniteStateException.class, () -> im.forward(xs, 1, 2, null));
            assertTrue(f.getMessage().contains("sequence 0, step " + (state ? 1 : 0)), f.getMessage());
        }
    }

    @Test
    void forwardRefusesNonFiniteInputsAndH0() {
        try (ElmanRnn m = RandomModels.model(N, D, K, Output.SIGMOID, 1, 7); InferenceModel im = InferenceModel.of(m)) {
            float[] x = RandomModels.uniform(2 * 3 * N, 1, 8);
            x[N * 4 + 2] = Float.NaN;
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> im.forward(x, 2, 3, null));
            assertTrue(e.getMessage().contains("sequence 1, step 1, index 2"), e.getMessage());
            float[] ok = RandomModels.uniform(2 * 3 * N, 1, 8), h0 = new float[2 * D];
            h0[D + 3] = Float.NEGATIVE_INFINITY;
            assertThrows(IllegalArgumentException.class, () -> im.forward(ok, 2, 3, h0));
            Arrays.fill(h0, 0);
            assertEquals(2 * 3 * K, im.forward(ok, 2, 3, h0).o().length);
        }
    }
}
