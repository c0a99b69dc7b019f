package org.vecrnn.model;

import java.util.Locale;

/** The output activation g in {@code o_t = g(V h_t + b)}. Sigmoid is the seed's default. */
public enum Output {
    SIGMOID, SOFTMAX, IDENTITY;

    /** The name used in model files and on the command line. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Output parse(String s) {
        if (s == null) return SIGMOID;
        for (Output g : values()) if (g.id().equals(s)) return g;
        throw new IllegalArgumentException("unknown output activation '" + s + "' (sigmoid, softmax or identity)");
    }

    /** o = g(z) over k values, in place allowed (z == o). */
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
