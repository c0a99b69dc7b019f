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

    /**
     * {@return the name on the command line and in files: {@code many-to-many}, {@code many-to-one} or {@code
     * one-to-many}}
     */
    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * {@return the topology of that name}
     *
     * @param s a name as {@link #id()} gives it
     * @throws IllegalArgumentException for any other name, saying which ones exist
     */
    public static Topology parse(String s) {
        for (Topology t : values()) if (t.id().equals(s)) return t;
        throw new IllegalArgumentException("unknown topology '" + s + "' (many-to-many, many-to-one or one-to-many)");
    }

    /**
     * {@return whether step t has a target (only the last one for {@link #MANY_TO_ONE})}
     *
     * @param t a step, from 0
     * @param T the steps of the sequence
     */
    public boolean hasTarget(int t, int T) {
        return this != MANY_TO_ONE || t == T - 1;
    }
}
