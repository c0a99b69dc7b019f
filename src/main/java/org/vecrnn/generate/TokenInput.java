package org.vecrnn.generate;

import java.util.Arrays;
import org.vecrnn.text.Embedding;

/** How the token chosen at one step becomes the next input x_{t+1}. */
@FunctionalInterface
public interface TokenInput {
    /**
     * Writes the input for a token.
     *
     * @param token the token chosen, 0 to k - 1
     * @param x receives the next input, all of it
     */
    void write(int token, float[] x);

    /** {@return x = the one-hot vector of the token (the input size is the vocabulary size)} */
    static TokenInput oneHot() {
        return (token, x) -> {
            Arrays.fill(x, 0f);
            x[token] = 1f;
        };
    }

    /**
     * {@return x = the word vector of the token's word (unknown words as the embedding says)}
     *
     * @param e the word vectors
     * @param vocabulary the word of each token
     */
    static TokenInput embedding(Embedding e, java.util.List<String> vocabulary) {
        return (token, x) -> System.arraycopy(e.embed(java.util.List.of(vocabulary.get(token))), 0, x, 0, x.length);
    }
}
