package org.vecrnn.kafka;

import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.vecrnn.infer.NonFiniteStateException;

/**
 * For each record: restores the key's state from the store, steps once, writes the state back and forwards
 * the output under the same key. A tombstone deletes the key's state. A malformed value (or a step that
 * cannot be taken) leaves the state as it was and goes to the dead-letter child unchanged, with headers
 * saying why and where it came from. One instance per task, so one thread at a time.
 */
final class StepProcessor implements Processor<String, byte[], String, byte[]> {
    private static final System.Logger LOG = System.getLogger(StepProcessor.class.getName());
    /** Headers of a dead letter. */
    static final String ERROR = "vecrnn.error", TOPIC = "vecrnn.topic", PARTITION = "vecrnn.partition", OFFSET = "vecrnn.offset";

    private final StreamStep config;
    private final Stepper stepper;
    private final float[] x, out, state;
    private ProcessorContext<String, byte[]> context;
    private KeyValueStore<String, byte[]> store;
    private boolean toldFresh;

    StepProcessor(StreamStep config, Stepper stepper) {
        this.config = config;
        this.stepper = stepper;
        this.x = new float[stepper.n()];
        this.out = new float[stepper.k()];
        this.state = new float[config.stamp().stateSize()];
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        this.store = context.getStateStore(config.storeName());
        // the store is restored before init: a model change shows here, before any record is stepped
        try (KeyValueIterator<String, byte[]> it = store.all()) {
            if (it.hasNext()) {
                var kv = it.next();
                belongsToModel(kv.key, kv.value);
            }
        }
    }

    @Override
    public void process(Record<String, byte[]> r) {
        String key = r.key();
        if (key == null) {
            deadLetter(r, "the record has no key (the key is the stream id)");
            return;
        }
        if (r.value() == null) {
            store.delete(key);
            config.counters().resets.increment();
            return;
        }
        String problem = config.format().parse(r.value(), x);
        if (problem != null) {
            deadLetter(r, problem);
            return;
        }
        byte[] saved = store.get(key);
        boolean fresh = saved == null || !belongsToModel(key, saved);
        if (!fresh) StateBytes.read(saved, state);
        try {
            stepper.step(state, fresh, x, out);
        } catch (NonFiniteStateException e) { // the state stays as it was
            deadLetter(r, e.getMessage());
            return;
        }
        store.put(key, StateBytes.write(config.stamp(), state));
        config.counters().steps.increment();
        Record<String, byte[]> o = new Record<>(key, config.format().format(out, out.length), r.timestamp());
        if (config.outputChild() == null) context.forward(o);
        else context.forward(o, config.outputChild());
    }

    /** True when the stored state is this model's; false (start fresh) or ModelChangedException otherwise. */
    private boolean belongsToModel(String key, byte[] saved) {
        ModelStamp stored = StateBytes.stamp(saved);
        if (stored.equals(config.stamp())) return true;
        if (!config.resetOnModelChange()) throw new ModelChangedException(key, stored, config.stamp());
        config.counters().freshStarts.increment();
        if (!toldFresh) {
            toldFresh = true;
            LOG.log(Level.WARNING, "task " + context.taskId() + ": the store holds state of model " + stored + ", this app runs model "
                    + config.stamp() + "; such keys start fresh (--reset-state-on-model-change)");
        }
        return false;
    }

    private void deadLetter(Record<String, byte[]> r, String why) {
        config.counters().deadLetters.increment();
        RecordMetadata m = context.recordMetadata().orElse(null);
        String where = m == null ? "(punctuation)" : m.topic() + "-" + m.partition() + "@" + m.offset();
        if (config.deadLetterChild() == null) {
            LOG.log(Level.WARNING, "skipped record " + where + " with key '" + (r.key() == null ? "" : StepCounters.shorten(r.key())) + "': " + why);
            return;
        }
        Headers h = new RecordHeaders(r.headers().toArray()); // the input's headers are shared: add to a copy
        h.remove(ERROR).add(ERROR, utf8(why));
        if (m != null) {
            h.remove(TOPIC).add(TOPIC, utf8(m.topic()));
            h.remove(PARTITION).add(PARTITION, utf8(Integer.toString(m.partition())));
            h.remove(OFFSET).add(OFFSET, utf8(Long.toString(m.offset())));
        }
        context.forward(new Record<>(r.key(), r.value(), r.timestamp(), h), config.deadLetterChild());
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
