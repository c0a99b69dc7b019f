package org.vecrnn.generate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One-to-many generation: x_1 is given (a feature vector, or the first token's input), and every later input
 * is the token chosen at the step before, until the end token or a length limit. Outputs are read as
 * probabilities over the k tokens (a softmax model's o_t; for other outputs, scores normalised to sum to 1).
 */
public final class Generator {
    private final Decoder model;
    private final TokenInput input;
    private final int endToken;
    private final int maxLength;

    /**
     * A generator over one model's stream.
     *
     * @param model the model that steps; its state is overwritten by every call
     * @param input how a chosen token becomes the next input
     * @param endToken a token that ends the sequence (it is kept in the result), or -1 for none
     * @param maxLength the most tokens a sequence may have
     * @throws IllegalArgumentException when endToken is not an output or maxLength is below 1
     */
    public Generator(Decoder model, TokenInput input, int endToken, int maxLength) {
        if (endToken < -1 || endToken >= model.k())
            throw new IllegalArgumentException("end token " + endToken + " is not one of the " + model.k() + " outputs");
        if (maxLength < 1) throw new IllegalArgumentException("length limit must be at least 1, got " + maxLength);
        this.model = model;
        this.input = input;
        this.endToken = endToken;
        this.maxLength = maxLength;
    }

    /**
     * Primes a model with a start text, as training fed text: from {@code h0}, every token but the last is
     * stepped, and the last becomes x_1 of the generation. The state returned is the one the trainer's forward
     * pass has after the same tokens from the same h0, so the first token generated is drawn from the
     * distribution it gives after the last one.
     *
     * @param model the model; its state is overwritten
     * @param input how a token becomes an input
     * @param h0 the state before the text ({@link Decoder#stateSize()} values): zeros for a model from
     *     {@code vecrnn train --task chars}, whose every text stream starts from h = 0
     * @param tokens the start text, at least one token
     * @param x1 receives the input of the last token, x_1 of the generation
     * @return the state after every token but the last, for {@link #sample}, {@link #greedy} or {@link #beam}
     * @throws IllegalArgumentException when there are no tokens
     */
    public static float[] prime(Decoder model, TokenInput input, float[] h0, int[] tokens, float[] x1) {
        if (tokens.length == 0) throw new IllegalArgumentException("a start text needs at least one token");
        float[] x = new float[model.n()], o = new float[model.k()], h = new float[model.stateSize()];
        model.restoreState(h0);
        for (int i = 0; i + 1 < tokens.length; i++) {
            input.write(tokens[i], x);
            model.step(x, o);
        }
        model.saveState(h);
        input.write(tokens[tokens.length - 1], x1);
        return h;
    }

    /**
     * The most probable token at every step. Ties go to the lower token.
     *
     * @param h0 the state to start from ({@link Decoder#stateSize()} values)
     * @param x1 the first input
     * @return the tokens chosen, up to and including the end token
     */
    public int[] greedy(float[] h0, float[] x1) {
        return sample(h0, x1, 0, null);
    }

    /**
     * Draws each token from the output distribution sharpened or flattened by {@code temperature}
     * (p^(1/T), renormalised); the same seed gives the same sequence. Temperature 0 is greedy.
     *
     * @param h0 the state to start from ({@link Decoder#stateSize()} values)
     * @param x1 the first input
     * @param temperature 0 (greedy) or more; below 1 sharpens, above 1 flattens
     * @param random the draws (unused at temperature 0)
     * @return the tokens chosen, up to and including the end token
     */
    public int[] sample(float[] h0, float[] x1, double temperature, SplittableRandom random) {
        if (temperature < 0 || Double.isNaN(temperature)) throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
        float[] x = x1.clone(), o = new float[model.k()];
        model.restoreState(h0);
        List<Integer> out = new ArrayList<>();
        while (out.size() < maxLength) {
            model.step(x, o);
            int token = temperature == 0 ? argmax(o) : draw(o, temperature, random);
            out.add(token);
            if (token == endToken) break;
            input.write(token, x);
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** A finished or growing hypothesis: its tokens, its log-probability, its hidden state and whether it ended. */
    private record Beam(int[] tokens, double logProb, float[] h, boolean done) {}

    /**
     * Beam search of width {@code width}: the sequence with the highest total log-probability among those
     * kept. Width 1 gives exactly {@link #greedy}.
     *
     * @param h0 the state to start from ({@link Decoder#stateSize()} values)
     * @param x1 the first input
     * @param width the hypotheses kept at each step, at least 1
     * @return the tokens of the best hypothesis
     */
    public int[] beam(float[] h0, float[] x1, int width) {
        if (width < 1) throw new IllegalArgumentException("beam width must be at least 1, got " + width);
        int k = model.k(), d = model.stateSize();
        float[] x = new float[model.n()], o = new float[k];
        List<Beam> beams = List.of(new Beam(new int[0], 0, h0.clone(), false));
        for (int step = 0; step < maxLength && !beams.stream().allMatch(Beam::done); step++) {
            List<Beam> next = new ArrayList<>();
            for (Beam b : beams) {
                if (b.done) {
                    next.add(b);
                    continue;
                }
                model.restoreState(b.h);
                if (b.tokens.length == 0) System.arraycopy(x1, 0, x, 0, x.length);
                else input.write(b.tokens[b.tokens.length - 1], x);
                model.step(x, o);
                float[] h = new float[d];
                model.saveState(h);
                double norm = sum(o);
                for (int t : best(o, width)) {
                    int[] tokens = Arrays.copyOf(b.tokens, b.tokens.length + 1);
                    tokens[tokens.length - 1] = t;
                    next.add(new Beam(tokens, b.logProb + Math.log(o[t] / norm), h, t == endToken));
                }
            }
            // stable sort: among equal scores the earlier beam and the lower token stay first, as in greedy
            next.sort(Comparator.comparingDouble((Beam b) -> -b.logProb));
            beams = next.subList(0, Math.min(width, next.size()));
        }
        return beams.get(0).tokens;
    }

    /** The indices of the {@code m} largest values, largest first, ties to the lower index. */
    static int[] best(float[] o, int m) {
        Integer[] idx = new Integer[o.length];
        for (int i = 0; i < o.length; i++) idx[i] = i;
        Arrays.sort(idx, (a, b) -> o[a] != o[b] ? Float.compare(o[b], o[a]) : Integer.compare(a, b));
        int[] out = new int[Math.min(m, o.length)];
        for (int i = 0; i < out.length; i++) out[i] = idx[i];
        return out;
    }

    /**
     * {@return the index of the largest, the lowest index among equals}
     *
     * @param o scores
     */
    public static int argmax(float[] o) {
        int best = 0;
        for (int i = 1; i < o.length; i++) if (o[i] > o[best]) best = i;
        return best;
    }

    private static int draw(float[] o, double temperature, SplittableRandom random) {
        double[] w = new double[o.length];
        double max = 0;
        for (float v : o) max = Math.max(max, v);
        double total = 0;
        for (int i = 0; i < o.length; i++) {
            // (p/max)^(1/T) keeps the largest weight at 1, so a low temperature cannot underflow every weight
            w[i] = o[i] <= 0 ? 0 : Math.pow(o[i] / max, 1 / temperature);
            total += w[i];
        }
        if (!(total > 0)) return argmax(o);
        double u = random.nextDouble() * total;
        for (int i = 0; i < w.length; i++) {
            u -= w[i];
            if (u < 0) return i;
        }
        return argmax(o);
    }

    private static double sum(float[] o) {
        double s = 0;
        for (float v : o) s += v;
        return s;
    }
}
