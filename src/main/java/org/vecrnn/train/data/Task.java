package org.vecrnn.train.data;

import java.util.Map;
import org.vecrnn.model.Loss;
import org.vecrnn.model.Output;
import org.vecrnn.train.BatchedBptt;
import org.vecrnn.train.ParamBuffers;
import org.vecrnn.train.TrainingData;

/** A training job on one data set: its training and validation data, output and loss, and its figure. */
public interface Task extends AutoCloseable {
    String name();

    TrainingData train();

    /** Data for early stopping, or null. */
    TrainingData validation();

    Output output();

    Loss loss();

    /** The one result line, e.g. {@code test_accuracy=0.9749}. */
    String figure(BatchedBptt bptt, ParamBuffers params);

    /** Extra model-file metadata (task, vocabulary, standardisation) so the model can be used later. */
    Map<String, String> metadata();

    @Override
    default void close() {
        train().close();
        if (validation() != null) validation().close();
    }
}
