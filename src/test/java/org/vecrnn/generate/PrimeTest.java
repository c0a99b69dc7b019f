package org.vecrnn.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.vecrnn.RandomModels;
import org.vecrnn.infer.InferenceModel;
import org.vecrnn.infer.StreamState;
import org.vecrnn.model.ElmanRnn;
import org.vecrnn.model.Output;
import org.vecrnn.train.ReferenceBptt;

/**
 * {@code vecrnn sample}'s priming: the state after a start text is the one the trainer's forward pass (the
 * double-precision reference BatchedBptt is tested against) has after the same characters from h = 0, where
 * training starts every text stream; and what greedy decoding writes after it is, character by character,
 * the reference's most probable next character for the text so far.
 */
class PrimeTest {
    static final int VOCAB = 11, D = 24;

    static LongStream seeds() {
        return LongStream.rangeClosed(1, 12);
    }

    private static float[] oneHot(int[] tokens) {
        float[] x = new float[tokens.length * VOCAB];
        for (int t = 0; t < tokens.length; t++) x[t * VOCAB + tokens[t]] = 1;
        return x;
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void primedStateAndGreedyTextAreTheTrainersForward(long seed) {
        System.out.println("PrimeTest seed " + seed);
        SplittableRandom r = new SplittableRandom(seed);
        int[] prompt = new int[1 + r.nextInt(15)];
        for (int i = 0; i < prompt.length; i++) prompt[i] = r.nextInt(VOCAB);
        try (ElmanRnn m = RandomModels.model(r, VOCAB, D, VOCAB, Output.SOFTMAX, 1.5); InferenceModel im = InferenceModel.of(m)) {
            ReferenceBptt ref = ReferenceBptt.of(m);
            StreamState s = im.newStream();
            float[] x1 = new float[VOCAB];
            float[] h = Generator.prime(s, TokenInput.oneHot(), new float[D], prompt, x1);

            // the state after every character but the last: the reference's h at that step (zeros for one character)
            ReferenceBptt.Forward f = ref.forward(oneHot(prompt), 1, prompt.length, new float[D]);
            for (int i = 0; i < D; i++) {
                double want = prompt.length == 1 ? 0 : f.h()[(prompt.length - 2) * D + i];
                assertEquals(want, h[i], 1e-5, "h[" + i + "] after " + Arrays.toString(prompt));
            }
            assertEquals(1f, x1[prompt[prompt.length - 1]], "x_1 is the last character, one-hot");

            // greedy text after the prompt: each character is the reference's argmax after the text before it
            int[] text = new Generator(s, TokenInput.oneHot(), -1, 12).greedy(h, x1);
            int[] all = Arrays.copyOf(prompt, prompt.length + text.length);
            System.arraycopy(text, 0, all, prompt.length, text.length);
            ReferenceBptt.Forward g = ref.forward(oneHot(all), 1, all.length, new float[D]);
            for (int j = 0; j < text.length; j++) {
                int step = prompt.length - 1 + j;
                double[] o = Arrays.copyOfRange(g.o(), step * VOCAB, (step + 1) * VOCAB);
                int best = 0, second = -1;
                for (int c = 1; c < VOCAB; c++) {
                    if (o[c] > o[best]) {
                        second = best;
                        best = c;
                    } else if (second < 0 || o[c] > o[second]) {
                        second = c;
                    }
                }
                // a float step may swap two characters whose probabilities differ by less than its rounding
                if (o[best] - o[second] > 1e-5) assertEquals(best, text[j], "character " + j + " after the prompt");
                else assertTrue(text[j] == best || text[j] == second, "character " + j + " is one of the two tied best");
            }
        }
    }
}
