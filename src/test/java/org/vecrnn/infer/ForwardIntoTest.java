package org.vecrnn.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.vecrnn.RandomModels;
import org.vecrnn.model.ElmanRnn;
import org.vecrnn.model.Output;

/**
 * {@code forward} into the caller's arrays: the same bits as the allocating form, every value overwritten,
 * and batch runners reused from call to call (their scratch kept) without one call leaking into the next.
 */
class ForwardIntoTest {
    static final int N = 7, D = 33, K = 5;

    @ParameterizedTest(name = "seed={0}")
    @ValueSource(longs = {21, 22, 23})
    void intoEqualsAllocatingAcrossShapesAndReuse(long seed) {
        System.out.println("ForwardIntoTest seed=" + seed);
        SplittableRandom r = new SplittableRandom(seed);
        try (ElmanRnn m = RandomModels.model(N, D, K, Output.SOFTMAX, 1.0, seed); InferenceModel im = InferenceModel.of(m)) {
            // small, then big (the kept scratch grows), then small and big again, h0 or not: a reused runner's
            // scratch holds the previous call's values
            int[][] shapes = {{1, 1}, {3, 5}, {70, 40}, {2, 2}, {33, 5}, {3, 70}, {64, 33}};
            for (int[] s : shapes) {
                int B = s[0], T = s[1];
                float[] x = RandomModels.uniform(B * T * N, 2, r.nextLong());
                float[] h0 = r.nextBoolean() ? RandomModels.uniform(B * D, 1, r.nextLong()) : null;
                // garbage in the outputs: all of it must be overwritten
                float[] h = new float[B * T * D], o = new float[B * T * K];
                Arrays.fill(h, Float.NaN);
                Arrays.fill(o, Float.NaN);
                im.forward(x, B, T, h0, h, o, Runnable::run, 1);
                InferenceModel.Sequences want;
                try (InferenceModel fresh = InferenceModel.of(m)) { // it has never run: its runner is new
                    want = fresh.forward(x, B, T, h0);
                }
                String at = "seed=" + seed + " B=" + B + " T=" + T;
                assertArrayEquals(want.h(), h, at);
                assertArrayEquals(want.o(), o, at);
            }
        }
    }

    @Test
    void twoThreadsIntoTheSameArraysGiveOneThreadsBits() throws Exception {
        int B = 70, T = 9;
        try (ElmanRnn m = RandomModels.model(N, D, K, Output.SIGMOID, 1.0, 31); InferenceModel im = InferenceModel.of(m);
             ExecutorService pool = Executors.newFixedThreadPool(2)) {
            float[] x = RandomModels.uniform(B * T * N, 2, 32);
            InferenceModel.Sequences one = im.forward(x, B, T, null);
            float[] h = new float[B * T * D], o = new float[B * T * K];
            for (int round = 0; round < 3; round++) {
                im.forward(x, B, T, null, h, o, pool, 2);
                assertArrayEquals(one.h(), h, "round " + round);
                assertArrayEquals(one.o(), o, "round " + round);
            }
        }
    }

    @Test
    void wrongSizesAndAliasesAreRefused() {
        // n = d = k, so that x, h, o and (with T = 1) h0 all have the same size and only the alias check can refuse
        int B = 2, T = 1, s = 6;
        try (ElmanRnn m = RandomModels.model(s, s, s, Output.IDENTITY, 1.0, 41); InferenceModel im = InferenceModel.of(m)) {
            float[] x = new float[B * T * s], h0 = new float[B * s], h = new float[B * T * s], o = new float[B * T * s];
            assertMessage(() -> im.forward(x, B, T, null, new float[B * T * s - 1], o, Runnable::run, 1), "h has");
            assertMessage(() -> im.forward(x, B, T, null, h, new float[B * T * s + 1], Runnable::run, 1), "o has");
            // writing h or o over x or h0 would corrupt values still to be read
            assertMessage(() -> im.forward(x, B, T, null, x, o, Runnable::run, 1), "arrays of their own");
            assertMessage(() -> im.forward(x, B, T, null, h, x, Runnable::run, 1), "arrays of their own");
            assertMessage(() -> im.forward(x, B, T, h0, h0, o, Runnable::run, 1), "arrays of their own");
            assertMessage(() -> im.forward(x, B, T, h0, h, h0, Runnable::run, 1), "arrays of their own");
            assertMessage(() -> im.forward(x, B, T, null, h, h, Runnable::run, 1), "arrays of their own");
            im.forward(x, B, T, h0, h, o, Runnable::run, 1); // and distinct arrays of the right sizes are taken
        }
    }

    private static void assertMessage(Runnable call, String part) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }
}
