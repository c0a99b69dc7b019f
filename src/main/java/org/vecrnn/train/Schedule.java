package org.vecrnn.train;

import java.util.Locale;

/**
 * The learning rate over training: constant, cosine decay to 0 over all epochs (per batch), or step decay
 * (halved every {@code every} epochs). A function of (epoch, fraction of the epoch done) only, so a resumed
 * run follows the same curve.
 */
public record Schedule(Kind kind, float base, int epochs, int every) {
    public enum Kind {
        CONSTANT, COSINE, STEP;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Kind parse(String s) {
            for (Kind k : values()) if (k.id().equals(s)) return k;
            throw new IllegalArgumentException("unknown learning-rate schedule '" + s + "' (constant, cosine or step)");
        }
    }

    public Schedule {
        if (!(base > 0) || !Float.isFinite(base)) throw new IllegalArgumentException("learning rate must be positive, got " + base);
        if (epochs < 1) throw new IllegalArgumentException("epochs must be at least 1, got " + epochs);
        if (every < 1) throw new IllegalArgumentException("step schedule period must be at least 1 epoch, got " + every);
    }

    public float at(int epoch, double fraction) {
        return switch (kind) {
            case CONSTANT -> base;
            case COSINE -> (float) (base * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, (epoch + fraction) / epochs))));
            case STEP -> (float) (base * Math.pow(0.5, epoch / every));
        };
    }
}
