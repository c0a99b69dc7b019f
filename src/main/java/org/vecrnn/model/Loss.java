package org.vecrnn.model;

import java.util.Locale;

/**
 * The per-step loss L_t, summed over the k outputs (no division by k), as in the oracle's convention:
 * MSE {@code Σ (o - y)²}; CE {@code -Σ y log softmax(z)} with softmax, {@code -Σ [y log s(z) + (1-y) log(1-s(z))]}
 * with sigmoid. The total is the sum over steps with a target, averaged over the batch.
 */
public enum Loss {
    MSE, CE;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Loss parse(String s) {
        for (Loss l : values()) if (l.id().equals(s)) return l;
        throw new IllegalArgumentException("unknown loss '" + s + "' (mse or ce)");
    }

    /** Cross-entropy needs a probability output. */
    public void checkCompatible(Output g) {
        if (this == CE && g == Output.IDENTITY)
            throw new IllegalArgumentException("loss ce needs a sigmoid or softmax output, the model's is identity");
    }
}
