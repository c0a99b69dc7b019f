package org.vecrnn.kafka;

import org.vecrnn.VecrnnException;

/**
 * The store holds state made by another model than the one running: stepping it would give meaningless
 * outputs, so processing stops, unless the step was built to start such keys fresh.
 */
public final class ModelChangedException extends VecrnnException {
    ModelChangedException(String key, ModelStamp stored, ModelStamp running) {
        super("the state of key '" + StepCounters.shorten(key) + "' was made by model " + stored + ", but this app runs model " + running
                + ": run the model that made the state, use a new application id, or start with --reset-state-on-model-change"
                + " to start every key fresh");
    }
}
