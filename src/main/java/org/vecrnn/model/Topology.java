package org.vecrnn.model;

import java.util.Locale;

/** The three shapes of sequence task in the founding notes. */
public enum Topology {
    /** A target at every step. */
    MANY_TO_MANY,
    /** A single target after the last step (y is [B, k]). */
    MANY_TO_ONE,
    /** Only x_1 is an input (later inputs are zero), a target at every step. */
    ONE_TO_MANY;

    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static Topology parse(String s) {
        for (Topology t : values()) if (t.id().equals(s)) return t;
        throw new IllegalArgumentException("unknown topology '" + s + "' (many-to-many, many-to-one or one-to-many)");
    }

    /** Whether step t (0-based) of a sequence of T steps has a target. */
    public boolean hasTarget(int t, int T) {
        return this != MANY_TO_ONE || t == T - 1;
    }
}
