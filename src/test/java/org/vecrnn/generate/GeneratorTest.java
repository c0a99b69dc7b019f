package org.vecrnn.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.vecrnn.RandomModels;
import org.vecrnn.model.ElmanRnn;
import org.vecrnn.model.Output;
import org.vecrnn.train.ReferenceBptt;

/** Generation over seeded random softmax models whose inputs are the one-hot of the previous token. */
class GeneratorTest {
    static final int VOCAB = 7, END = 0;

    static Generator generator(long seed, int maxLength) {
        try (ElmanRnn m = RandomModels.model(new SplittableRandom(seed), VOCAB, 17, VOCAB, Output.SOFTMAX, 3)) {
            return new Generator(new ReferenceDecoder(ReferenceBptt.of(m)), TokenInput.oneHot(), END, maxLength);
        }
    }

    static float[] start(int token) {
        float[] x = new float[VOCAB];
        x[token] = 1;
        return x;
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
    void beamOfWidthOneEqualsGreedy(long seed) {
        Generator g = generator(seed, 20);
        float[] h0 = new float[17];
        for (int first = 1; first < VOCAB; first++) {
            int[] greedy = g.greedy(h0, start(first));
            assertArrayEquals(greedy, g.beam(h0, start(first), 1), "seed " + seed + " start " + first);
            assertTrue(greedy.length <= 20);
            assertTrue(greedy.length == 20 || greedy[greedy.length - 1] == END, "stops at the end token or the limit");
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {11, 12, 13})
    void samplingWithASeedRepeatsExactly(long seed) {
        Generator g = generator(seed, 30);
        float[] h0 = new float[17];
        int[] a = g.sample(h0, start(3), 1.0, new SplittableRandom(99));
        int[] b = g.sample(h0, start(3), 1.0, new SplittableRandom(99));
        assertArrayEquals(a, b);
        // other seeds give other sequences (all 20 equal to the first would mean the seed is ignored)
        long differ = java.util.stream.LongStream.range(100, 120)
                .filter(s -> !Arrays.equals(a, g.sample(h0, start(3), 1.0, new SplittableRandom(s)))).count();
        assertNotEquals(0, differ);
        assertArrayEquals(g.greedy(h0, start(3)), g.sample(h0, start(3), 0, null), "temperature 0 is greedy");
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {21, 22, 23, 24})
    void aBeamAsWideAsAllPrefixesFindsTheBestSequence(long seed) {
        // with no end token every hypothesis has the full length; a beam of width VOCAB² keeps every prefix
        // of length 2, so over 3 steps it must find the best of all VOCAB³ sequences
        try (ElmanRnn m = RandomModels.model(new SplittableRandom(seed), VOCAB, 9, VOCAB, Output.SOFTMAX, 3)) {
            ReferenceDecoder dec = new ReferenceDecoder(ReferenceBptt.of(m));
            Generator g = new Generator(dec, TokenInput.oneHot(), -1, 3);
            float[] h0 = new float[9];
            double best = Double.NEGATIVE_INFINITY;
            for (int a = 0; a < VOCAB; a++)
                for (int b = 0; b < VOCAB; b++)
                    for (int c = 0; c < VOCAB; c++) best = Math.max(best, score(dec, h0, start(1), new int[] {a, b, c}));
            double exhaustive = score(dec, h0, start(1), g.beam(h0, start(1), VOCAB * VOCAB));
            assertEquals(best, exhaustive, 1e-9, "a beam as wide as all prefixes is exhaustive");
        }
    }

    static double score(ReferenceDecoder dec, float[] h0, float[] x1, int[] tokens) {
        dec.restoreState(h0);
        float[] x = x1.clone(), o = new float[VOCAB];
        double s = 0;
        for (int t : tokens) {
            dec.step(x, o);
            s += Math.log(o[t]);
            TokenInput.oneHot().write(t, x);
        }
        return s;
    }
}
