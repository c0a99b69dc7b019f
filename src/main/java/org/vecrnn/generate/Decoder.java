package org.vecrnn.generate;

/**
 * What generation needs of a model: one recurrent step at a time, and its hidden state saved and restored
 * (beam search keeps one state per hypothesis). A per-stream inference state provides all of it.
 */
public interface Decoder {
    /** {@return n, the size of one input x_t} */
    int n();

    /** {@return d, the size of one layer's hidden state} */
    int d();

    /** {@return the size of the whole state that {@link #saveState} copies: d times the number of layers by default} */
    default int stateSize() {
        return d();
    }

    /** {@return k, the size of one output o_t (the number of tokens)} */
    int k();

    /**
     * Feeds x_t and writes o_t.
     *
     * @param x the input x_t [n]
     * @param out receives o_t [k]
     */
    void step(float[] x, float[] out);

    /**
     * Copies the state.
     *
     * @param h receives {@link #stateSize()} values
     */
    void saveState(float[] h);

    /**
     * Sets the state.
     *
     * @param h {@link #stateSize()} values, as {@link #saveState} wrote them
     */
    void restoreState(float[] h);
}
