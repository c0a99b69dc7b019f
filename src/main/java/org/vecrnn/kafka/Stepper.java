package org.vecrnn.kafka;

import org.vecrnn.infer.InferenceModel;
import org.vecrnn.infer.StreamState;

/**
 * What a record does to its key's state: the model's step, or (for measuring what Kafka itself costs) a
 * pass-through that reads and writes the same state without a model. One per processor, so per thread.
 */
interface Stepper {
    int n();
    int k();

    /**
     * One step: state ({@link ModelStamp#stateSize()} values) is read (unless fresh: zeros) and overwritten with the new state,
     * out[0, k) gets the output. Throws, leaving state as it was, when the step cannot be taken.
     */
    void step(float[] state, boolean fresh, float[] x, float[] out);

    /** The model's step through a {@link StreamState}. */
    static Stepper of(InferenceModel model) {
        StreamState s = model.newStream();
        return new Stepper() {
            @Override public int n() { return s.n(); }
            @Override public int k() { return s.k(); }

            @Override
            public void step(float[] state, boolean fresh, float[] x, float[] out) {
                if (fresh) s.reset();
                else s.restoreState(state);
                s.step(x, out);
                s.saveState(state);
            }
        };
    }
}
