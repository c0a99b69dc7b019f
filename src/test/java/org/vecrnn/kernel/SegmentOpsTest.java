package org.vecrnn.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The Vector API and heap-array element-wise ops against the scalar ones on awkward sizes. */
class SegmentOpsTest {
    @org.junit.jupiter.api.Test
    void rationalTanhIsWithinAFewUlpOfMathTanh() {
        float worst = 0;
        for (float x = -12f; x <= 12f; x += 1e-4f) {
            float want = (float) Math.tanh(x), got = Tanh.tanh(x);
            worst = Math.max(worst, Math.abs(got - want) / Math.ulp(want));
        }
        for (float x : new float[] {0f, -0f, 1e-30f, -1e-8f, 3.9e-4f, 4.1e-4f, 1e-40f, -3e-44f, Float.MIN_VALUE, Float.MIN_NORMAL,
                Float.MAX_VALUE, -Float.MAX_VALUE}) {
            float want = (float) Math.tanh(x);
            worst = Math.max(worst, Math.abs(Tanh.tanh(x) - want) / Math.ulp(want));
        }
        assertTrue(worst <= 4, "worst error " + worst + " ulp");
        assertTrue(Float.isNaN(Tanh.tanh(Float.NaN)));
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(Tanh.tanh(-0f)), "tanh(-0) = -0");
    }

    static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> opsAndSizes() {
        return java.util.stream.Stream.of("vector", "array").flatMap(ops -> java.util.stream.IntStream.of(1, 3, 15, 16, 17, 33, 65, 100, 257, 4097, 9000)
                .mapToObj(size -> org.junit.jupiter.params.provider.Arguments.of(ops, size)));
    }

    @ParameterizedTest(name = "{0} size={1}")
    @org.junit.jupiter.params.provider.MethodSource("opsAndSizes")
    void matchesScalar(String ops, int size) {
        SegmentOps v = ops.equals("vector") ? new VectorSegmentOps() : new ArraySegmentOps(), s = new ScalarSegmentOps();
        Random r = new Random(size);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = arena.allocate(size * 4L + 8), b = arena.allocate(size * 4L + 8), h = arena.allocate(size * 4L + 8);
            for (int i = 0; i < size + 2; i++) {
                float x = (float) (r.nextGaussian() * 3);
                a.setAtIndex(F, i, x);
                b.setAtIndex(F, i, x);
                h.setAtIndex(F, i, (float) Math.tanh(r.nextGaussian()));
            }
            v.tanh(a, 1, size);
            s.tanh(b, 1, size);
            for (int i = 0; i < size + 2; i++) // same operations in the same order: the same bits
                assertEquals(b.getAtIndex(F, i), a.getAtIndex(F, i), "tanh at " + i);
            MemorySegment c = arena.allocate(size * 4L + 8);
            MemorySegment.copy(b, 0, c, 0, c.byteSize());
            v.tanhBackward(b, 1, h, 1, size);
            s.tanhBackward(c, 1, h, 1, size);
            for (int i = 0; i < size + 2; i++)
                assertEquals(c.getAtIndex(F, i), b.getAtIndex(F, i), "tanhBackward (fused 1 - h², then one product): exact at " + i);
            // relu and its backward: a relu state is 0 or positive, and exact zeros must give a zero gradient
            float[] xs = new float[size + 2];
            for (int i = 0; i < size + 2; i++) {
                xs[i] = i % 5 == 0 ? 0f : (float) (r.nextGaussian() * 3);
                a.setAtIndex(F, i, xs[i]);
                b.setAtIndex(F, i, xs[i]);
                h.setAtIndex(F, i, Math.max(xs[i], 0f));
            }
            v.relu(a, 1, size);
            s.relu(b, 1, size);
            for (int i = 0; i < size + 2; i++) {
                assertEquals(b.getAtIndex(F, i), a.getAtIndex(F, i), "relu at " + i);
                assertEquals(i >= 1 && i <= size ? Math.max(xs[i], 0f) : xs[i], a.getAtIndex(F, i), "relu (only the block) at " + i);
            }
            for (int i = 0; i < size + 2; i++) {
                float gv = (float) r.nextGaussian();
                b.setAtIndex(F, i, gv);
                c.setAtIndex(F, i, gv);
            }
            v.reluBackward(b, 1, h, 1, size);
            s.reluBackward(c, 1, h, 1, size);
            for (int i = 0; i < size + 2; i++) {
                assertEquals(c.getAtIndex(F, i), b.getAtIndex(F, i), "reluBackward at " + i);
                if (i >= 1 && i <= size && !(h.getAtIndex(F, i) > 0)) assertEquals(0f, b.getAtIndex(F, i), "relu'(h <= 0) = 0 at " + i);
            }
        }
    }

    @org.junit.jupiter.api.Test
    void shortRunsTakeTheArrayOpsLongOnesTheChosen() {
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getProperty(SegmentOps.PROPERTY, "").isEmpty(), "ops forced by -D" + SegmentOps.PROPERTY);
        org.junit.jupiter.api.Assertions.assertTrue(SegmentOps.forWork(22_118_400L) instanceof ArraySegmentOps, "digits: 30 epochs of 45 batches of 8×32×64");
        org.junit.jupiter.api.Assertions.assertSame(SegmentOps.get(), SegmentOps.forWork(SegmentOpsChooser.SHORT_RUN));
    }
}
