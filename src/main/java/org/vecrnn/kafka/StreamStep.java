package org.vecrnn.kafka;

import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.vecrnn.infer.InferenceModel;

/**
 * One model step per record, as a Kafka Streams processor: key = stream id (a String), value = an input
 * vector in {@link #format()} (bytes); the output vector goes forward under the same key and in the same
 * format. Each key's state lives in a persistent key-value store (RocksDB) with a changelog topic, so a
 * restarted or moved task restores every key; the stored bytes ({@link StateBytes}) say which model made
 * them, and a different model refuses them ({@link ModelChangedException}) unless
 * {@link #resetOnModelChange(boolean)} says to start such keys fresh.
 *
 * <p>As a {@link ProcessorSupplier} it declares its store ({@link #stores()}), so
 * {@code builder.stream(topic, Consumed.with(Serdes.String(), Serdes.ByteArray())).process(step)} in the DSL
 * or {@link #addTo} in a {@link Topology} is all it takes. Dead letters (malformed values, left out of the
 * state) go to a sink of their own only through {@link #addTo} or {@link #topology} with a dead-letter topic;
 * otherwise they are logged and skipped. The model must stay open while the topology runs.
 */
public final class StreamStep implements ProcessorSupplier<String, byte[], String, byte[]> {
    /** The names this class gives its store and nodes. */
    public static final String STORE = "vecrnn-state", SOURCE = "vecrnn-input", PROCESSOR = "vecrnn-step",
            OUTPUT = "vecrnn-output", DEAD_LETTERS = "vecrnn-dead-letters";

    private final InferenceModel model;
    private final ModelStamp stamp;
    private final ValueFormat format;
    private final String storeName;
    private final boolean resetOnModelChange;
    private final StepCounters counters;
    private final String outputChild, deadLetterChild;
    private final boolean passThrough;

    private StreamStep(InferenceModel model, ModelStamp stamp, ValueFormat format, String storeName, boolean resetOnModelChange,
                       StepCounters counters, String outputChild, String deadLetterChild, boolean passThrough) {
        this.model = Objects.requireNonNull(model, "model");
        this.stamp = Objects.requireNonNull(stamp, "stamp");
        this.format = Objects.requireNonNull(format, "format");
        this.storeName = Objects.requireNonNull(storeName, "storeName");
        this.resetOnModelChange = resetOnModelChange;
        this.counters = Objects.requireNonNull(counters, "counters");
        this.outputChild = outputChild;
        this.deadLetterChild = deadLetterChild;
        this.passThrough = passThrough;
        if (stamp.d() != model.d())
            throw new IllegalArgumentException("the stamp says d=" + stamp.d() + ", the model has d=" + model.d());
    }

    /**
     * The step of a model, with text values and the store {@value #STORE}.
     *
     * @param model the model every record steps, shared by the app's threads (the caller closes it after the app)
     * @param stamp the model's stamp ({@link ModelStamp#of}), which every stored state carries
     * @return the step, to be configured with the methods below, each of which returns a new one
     */
    public static StreamStep of(InferenceModel model, ModelStamp stamp) {
        return new StreamStep(model, stamp, ValueFormat.TEXT, STORE, false, new StepCounters(), null, null, false);
    }

    /**
     * {@return this step with that format}
     *
     * @param f how record values hold vectors
     */
    public StreamStep format(ValueFormat f) {
        return new StreamStep(model, stamp, f, storeName, resetOnModelChange, counters, outputChild, deadLetterChild, passThrough);
    }

    /**
     * {@return this step with that store}
     *
     * @param name the store's name (two steps in one topology need two names); its changelog is APPID-NAME-changelog
     */
    public StreamStep storeName(String name) {
        return new StreamStep(model, stamp, format, name, resetOnModelChange, counters, outputChild, deadLetterChild, passThrough);
    }

    /**
     * {@return this step with that rule}
     *
     * @param reset true: keys whose state another model made start fresh (logged once a task); false (the
     *     default): such a state stops the app with {@link ModelChangedException}
     */
    public StreamStep resetOnModelChange(boolean reset) {
        return new StreamStep(model, stamp, format, storeName, reset, counters, outputChild, deadLetterChild, passThrough);
    }

    /**
     * {@return this step forwarding so}
     *
     * @param output the child node that gets the outputs, or null for all children
     * @param deadLetters the child node that gets malformed records, or null to log and skip them
     */
    public StreamStep children(String output, String deadLetters) {
        return new StreamStep(model, stamp, format, storeName, resetOnModelChange, counters, output, deadLetters, passThrough);
    }

    /**
     * The same topology without the model: each record reads and writes its key's state and forwards its
     * first k input values (zeros beyond n), so that a benchmark measures what Kafka itself costs.
     */
    StreamStep passThrough() {
        return new StreamStep(model, stamp, format, storeName, resetOnModelChange, counters, outputChild, deadLetterChild, true);
    }

    /** {@return the stamp of the model, which stored states must carry} */
    public ModelStamp stamp() { return stamp; }
    /** {@return how record values hold vectors} */
    public ValueFormat format() { return format; }
    /** {@return the name of the state store} */
    public String storeName() { return storeName; }
    /** {@return whether keys whose state another model made start fresh} */
    public boolean resetOnModelChange() { return resetOnModelChange; }
    /** {@return what the processors of this step did so far, shared by all of them} */
    public StepCounters counters() { return counters; }
    String outputChild() { return outputChild; }
    String deadLetterChild() { return deadLetterChild; }

    @Override
    public Processor<String, byte[], String, byte[]> get() {
        return new StepProcessor(this, passThrough ? PassThrough.of(model) : Stepper.of(model));
    }

    /** {@return the persistent store (RocksDB) with its changelog: String keys, {@link StateBytes} values} */
    public StoreBuilder<KeyValueStore<String, byte[]>> storeBuilder() {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(storeName), Serdes.String(), Serdes.ByteArray())
                .withLoggingEnabled(Map.of());
    }

    @Override
    public Set<StoreBuilder<?>> stores() {
        return Set.of(storeBuilder());
    }

    /**
     * Adds the step to a topology under {@code parents} (nodes that give String keys and byte[] values): the
     * processor {@value #PROCESSOR} with its store, a sink {@value #OUTPUT} to outputTopic and, when
     * deadLetterTopic is not null, a sink {@value #DEAD_LETTERS} to it.
     *
     * @param topology the topology to add to
     * @param outputTopic where outputs go, keyed as their inputs
     * @param deadLetterTopic where malformed records go, or null to log and skip them
     * @param parents the nodes whose records this step takes
     * @return the same topology
     */
    public Topology addTo(Topology topology, String outputTopic, String deadLetterTopic, String... parents) {
        StreamStep s = children(OUTPUT, deadLetterTopic == null ? null : DEAD_LETTERS);
        topology.addProcessor(PROCESSOR, s, parents);
        topology.addSink(OUTPUT, outputTopic, Serdes.String().serializer(), Serdes.ByteArray().serializer(), PROCESSOR);
        if (deadLetterTopic != null)
            topology.addSink(DEAD_LETTERS, deadLetterTopic, Serdes.String().serializer(), Serdes.ByteArray().serializer(), PROCESSOR);
        return topology;
    }

    /**
     * The whole app: inputTopic, the step, outputTopic.
     *
     * @param inputTopic where inputs come from, one step per record, keyed by stream
     * @param outputTopic where outputs go
     * @param deadLetterTopic where malformed records go, or null to log and skip them
     * @return a new topology
     */
    public Topology topology(String inputTopic, String outputTopic, String deadLetterTopic) {
        Topology t = new Topology();
        t.addSource(SOURCE, Serdes.String().deserializer(), Serdes.ByteArray().deserializer(), inputTopic);
        return addTo(t, outputTopic, deadLetterTopic, SOURCE);
    }
}
