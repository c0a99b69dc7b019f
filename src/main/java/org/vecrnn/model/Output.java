package org.vecrnn.model;

import java.util.Locale;

/** The output activation g in {@code o_t = g(V h_t + b)}. Sigmoid is the seed's default. */
public enum Output {
    /** 1 / (1 + e^-z) on each output: independent probabilities. */
    SIGMOID,
    /** e^z / Σ e^z over the k outputs: one distribution. */
    SOFTMAX,
    /** o = z, for regression. */
    IDENTITY;

    /** {@return the name used in model files (metadata "output") and on the command line} */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * {@return the output function of that name, sigmoid for null}
     *
     * @param s {@code sigmoid}, {@code softmax}, {@code identity}, or null (a file that does not say)
     * @throws IllegalArgumentException for any other name
     */
    public static Output parse(String s) {
        if (s == null) return SIGMOID;
        for (Output g : values()) if (g.id().equals(s)) return g;
        throw new IllegalArgumentException("unknown output activation '" + s + "' (sigmoid, softmax or identity)");
    }

    /**
     * o = g(z) over k values, in place allowed (z == o).
     *
     * @param z the pre-activations
     * @param zOff where they start in z
     * @param o where the outputs go
     * @param oOff where they start in o
     * @param k how many values
     */
    public void apply(float[] z, int zOff, float[] o, int oOff, int k) {
        switch (this) {
            case IDENTITY -> System.arraycopy(z, zOff, o, oOff, k);
            case SIGMOID -> {
                for (int i = 0; i < k; i++) o[oOff + i] = sigmoid(z[zOff + i]);
            }
            case SOFTMAX -> {
                float max = Float.NEGATIVE_INFINITY;
                for (int i = 0; i < k; i++) max = Math.max(max, z[zOff + i]);
                float sum = 0;
                for (int i = 0; i < k; i++) {
                    float e = (float) Math.exp(z[zOff + i] - max);
                    o[oOff + i] = e;
                    sum += e;
                }
                float inv = 1f / sum;
                for (int i = 0; i < k; i++) o[oOff + i] *= inv;
            }
        }
    }

    static float sigmoid(float z) {
        // exp of a negative argument only, so neither branch overflows
        if (z >= 0) return (float) (1.0 / (1.0 + Math.exp(-z)));
        double e = Math.exp(z);
        return (float) (e / (1.0 + e));
    }
}
