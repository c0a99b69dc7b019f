package org.vecrnn.model;

import java.util.Locale;

/** The hidden nonlinearity f in {@code h^l_t = f(W_l h^l_{t-1} + U_l h^{l-1}_t + a_l)}: one for the whole model, tanh by default. */
public enum Nonlinearity {
    /** tanh, the seed's and PyTorch's default. */
    TANH,
    /** max(v, 0), PyTorch's {@code nonlinearity='relu'}. */
    RELU;

    /**
     * {@return the name used in model files (metadata "nonlinearity", as PyTorch spells it) and on the command line}
     */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * {@return the nonlinearity of that name, tanh for null}
     *
     * @param s {@code tanh}, {@code relu}, or null (files written before stacked models existed)
     * @throws IllegalArgumentException for any other name
     */
    public static Nonlinearity parse(String s) {
        if (s == null) return TANH;
        for (Nonlinearity f : values()) if (f.id().equals(s)) return f;
        throw new IllegalArgumentException("unknown nonlinearity '" + s + "' (tanh or relu)");
    }

    /**
     * {@return f(v)}
     *
     * @param v a pre-activation
     */
    public float apply(float v) {
        return this == TANH ? (float) Math.tanh(v) : Math.max(v, 0f);
    }

    /**
     * {@return f(v)}
     *
     * @param v a pre-activation, in double precision (the reference)
     */
    public double apply(double v) {
        return this == TANH ? Math.tanh(v) : Math.max(v, 0.0);
    }

    /**
     * The derivative, from the output alone (what backpropagation keeps).
     *
     * @param y f(v)
     * @return f'(v): 1 - y² for tanh, [y &gt; 0] for relu (PyTorch's relu'(0) = 0)
     */
    public double derivativeFromOutput(double y) {
        return this == TANH ? 1 - y * y : (y > 0 ? 1 : 0);
    }
}
