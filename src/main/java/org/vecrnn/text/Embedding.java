package org.vecrnn.text;

import java.util.List;

/**
 * Turns a sequence of tokens into the inputs x_1..x_T of an RNN: each token's word vector, or the
 * unknown-word vector for a token the table does not hold.
 */
public final class Embedding {
    private final WordVectors table;
    private final float[] unknown;

    /**
     * Unknown words get the zero vector.
     *
     * @param table the word vectors, which must stay open while this is used
     */
    public Embedding(WordVectors table) {
        this(table, new float[table.dim()]);
    }

    /**
     * Unknown words get the given vector.
     *
     * @param table the word vectors, which must stay open while this is used
     * @param unknown the vector of a word not in the table (copied)
     * @throws IllegalArgumentException when {@code unknown} is not of the table's dimension
     */
    public Embedding(WordVectors table, float[] unknown) {
        if (unknown.length != table.dim())
            throw new IllegalArgumentException("unknown-word vector has " + unknown.length + " values, the table's dimension is " + table.dim());
        this.table = table;
        this.unknown = unknown.clone();
    }

    /**
     * Unknown words get the mean of all vectors, a common choice that keeps inputs in the table's range.
     *
     * @param table the word vectors, which must stay open while this is used
     * @return an embedding over the table
     */
    public static Embedding withMeanForUnknown(WordVectors table) {
        float[] all = table.toArray();
        int dim = table.dim();
        double[] sum = new double[dim];
        for (int i = 0; i < table.size(); i++)
            for (int j = 0; j < dim; j++) sum[j] += all[i * dim + j];
        float[] mean = new float[dim];
        for (int j = 0; j < dim; j++) mean[j] = table.size() == 0 ? 0 : (float) (sum[j] / table.size());
        return new Embedding(table, mean);
    }

    /** {@return the size of each input vector, the table's dimension} */
    public int dim() {
        return table.dim();
    }

    /**
     * {@return x [T, dim], row-major: each token's vector, or the unknown-word vector}
     *
     * @param tokens T words
     */
    public float[] embed(List<String> tokens) {
        int dim = table.dim();
        float[] x = new float[tokens.size() * dim];
        for (int t = 0; t < tokens.size(); t++) {
            int i = table.indexOf(tokens.get(t));
            if (i >= 0) table.vector(i, x, t * dim);
            else System.arraycopy(unknown, 0, x, t * dim, dim);
        }
        return x;
    }

    /**
     * {@return whether it has its own vector in the table}
     *
     * @param token a word
     */
    public boolean knows(String token) {
        return table.indexOf(token) >= 0;
    }
}
