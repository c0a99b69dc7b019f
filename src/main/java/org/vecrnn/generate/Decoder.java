package org.vecrnn.generate;

/**
 * What generation needs of a model: one recurrent step at a time, and its hidden state saved and restored
 * (beam search keeps one state per hypothesis). A per-stream inference state provides all of it.
 */
public interface Decoder {
    /** The size of one input x_t. */
    int n();

    /** The size of one layer's hidden state. */
    int d();

    /** The size of the whole state that {@link #saveState} copies: d times the number of layers. */
    default int stateSize() {
        return d();
    }

    /** The size of one output o_t (the number of tokens). */
    int k();

    /** Feeds x_t and writes o_t into {@code out}. */
    void step(float[] x, float[] out);

    /** Copies the state ({@link #stateSize()} values) into {@code h}. */
    void saveState(float[] h);

    /** Sets the state from {@code h} ({@link #stateSize()} values). */
    void restoreState(float[] h);
}
