package org.vecrnn.train;

/**
 * What a trainer iterates over in one epoch: a sequence of filled {@link Batch}es. Sequence sets shuffle
 * their examples each epoch (from the seed and the epoch number only, so a resumed run continues exactly);
 * streams keep their order and carry the hidden state from one window to the next.
 */
public interface TrainingData extends AutoCloseable {
    int n();

    int k();

    /** Batches in one epoch. */
    int batches();

    /** Prepares epoch {@code epoch}'s order from {@code seed}; also resets carried state. */
    void startEpoch(int epoch, long seed);

    /** Batch i of the current epoch, filled (valid until the next call). */
    Batch batch(int i);

    /** Called after batch i ran forward (streams copy the state they carry to the next window). */
    default void afterBatch(int i, BatchedBptt bptt) {}

    /** Examples (sequences, or characters of a stream) in batch i, for the examples/s figure. */
    int examples(int i);

    /** Steps with a target in batch i, summed over its sequences (for per-step averages such as bits per char). */
    long targets(int i);

    @Override
    void close();
}
