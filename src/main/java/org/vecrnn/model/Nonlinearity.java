package org.vecrnn.model;

import java.util.Locale;

/** The hidden nonlinearity f in {@code h^l_t = f(W_l h^l_{t-1} + U_l h^{l-1}_t + a_l)}: one for the whole model, tanh by default. */
public enum Nonlinearity {
    TANH, RELU;

    /** The name used in model files (metadata "nonlinearity", as PyTorch spells it) and on the command line. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** tanh when {@code s} is null (files written before stacked models existed). */
    public static Nonlinearity parse(String s) {
        if (s == null) return TANH;
        for (Nonlinearity f : values()) if (f.id().equals(s)) return f;
        throw new IllegalArgumentException("unknown nonlinearity '" + s + "' (tanh or relu)");
    }

    public float apply(float v) {
        return this == TANH ? (float) Math.tanh(v) : Math.max(v, 0f);
    }

    public double apply(double v) {
        return this == TANH ? Math.tanh(v) : Math.max(v, 0.0);
    }

    /** f'(v) expressed through y = f(v): 1 - y² for tanh, [y > 0] for relu (PyTorch's relu'(0) = 0). */
    public double derivativeFromOutput(double y) {
        return this == TANH ? 1 - y * y : (y > 0 ? 1 : 0);
    }
}
