package org.vecrnn.model;

import java.util.Locale;

/**
 * The per-step loss L_t, summed over the k outputs (no division by k), as in the oracle's convention:
 * MSE {@code Σ (o - y)²}; CE {@code -Σ y log softmax(z)} with softmax, {@code -Σ [y log s(z) + (1-y) log(1-s(z))]}
 * with sigmoid. The total is the sum over steps with a target, averaged over the batch.
 */
public enum Loss {
    /** Squared error, {@code Σ (o - y)²}, for any output. */
    MSE,
    /** Cross-entropy, for a softmax (one class) or sigmoid (independent labels) output. */
    CE;

    /** {@return the name on the command line and in files: {@code mse} or {@code ce}} */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * {@return the loss of that name}
     *
     * @param s a name as {@link #id()} gives it
     * @throws IllegalArgumentException for any other name, saying which ones exist
     */
    public static Loss parse(String s) {
        for (Loss l : values()) if (l.id().equals(s)) return l;
        throw new IllegalArgumentException("unknown loss '" + s + "' (mse or ce)");
    }

    /**
     * Cross-entropy needs a probability output.
     *
     * @param g the model's output function
     * @throws IllegalArgumentException when this is {@link #CE} and g is {@link Output#IDENTITY}
     */
    public void checkCompatible(Output g) {
        if (this == CE && g == Output.IDENTITY)
            throw new IllegalArgumentException("loss ce needs a sigmoid or softmax output, the model's is identity");
    }
}
