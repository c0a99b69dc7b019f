package org.vecrnn.train;

import java.util.Locale;
import org.vecrnn.model.Parameters;

/**
 * Updates θ from its gradient, on heap arrays (tight loops the JIT vectorises; θ is copied to native memory
 * for the GEMMs in one bulk copy per batch). Optimizer state (momenta) is a {@link Parameters} of θ's shape,
 * so a checkpoint can save and restore it exactly; {@link #steps()} counts updates (Adam's bias correction).
 */
public interface Optimizer {
    enum Kind {
        SGD, ADAM;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Kind parse(String s) {
            for (Kind k : values()) if (k.id().equals(s)) return k;
            throw new IllegalArgumentException("unknown optimizer '" + s + "' (sgd or adam)");
        }
    }

    /** θ -= update(grads) with learning rate lr. */
    void step(Parameters params, Parameters grads, float lr);

    Kind kind();

    /** The state buffers in a fixed order, for checkpoints (names from {@link #stateNames()}). */
    Parameters[] state();

    String[] stateNames();

    long steps();

    void steps(long steps);

    /** An optimizer for θ of sizes n, d, k and {@code layers} layers. */
    static Optimizer create(Kind kind, int n, int d, int k, int layers, float momentum) {
        Parameters shape = Parameters.zeros(n, d, k, layers);
        return kind == Kind.SGD ? new Sgd(shape, momentum) : new Adam(shape, 0.9f, 0.999f, 1e-8f);
    }
}
