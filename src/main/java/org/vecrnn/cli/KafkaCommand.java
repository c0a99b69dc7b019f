package org.vecrnn.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/** The options of {@code vecrnn kafka}; {@link KafkaApp} runs it (the only class here that needs Kafka Streams). */
@Command(name = "kafka", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Predict on Kafka Streams, one step per record, state kept by Kafka.",
                "",
                "The record key is the stream id; each key keeps its own hidden state in a local store backed by a "
                        + "changelog topic, so a restarted or moved instance goes on where the last one stopped. A text value "
                        + "holds n numbers separated by spaces or commas (as a 'vecrnn stream' line), an f32le value 4n bytes "
                        + "of little-endian float32; the output (same key and format, on the output topic) holds the k outputs "
                        + "of that step. A null value (tombstone) resets its key and gives no output. A malformed value goes "
                        + "unchanged to the dead-letter topic, with headers vecrnn.error, vecrnn.topic, vecrnn.partition and "
                        + "vecrnn.offset, and leaves the state alone.",
                "",
                "Processing is exactly once (exactly_once_v2) unless the --config file says otherwise. Run more instances "
                        + "with the same application id to share the partitions. It runs until SIGTERM or SIGINT, then "
                        + "commits, closes and exits 0."})
final class KafkaCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "M", description = "model file (any file 'vecrnn inspect' reads as a model)")
    Path model;

    @Option(names = "--bootstrap-servers", required = true, paramLabel = "B", description = "Kafka brokers, host:port[,host:port...]")
    String bootstrapServers;

    @Option(names = "--input-topic", required = true, paramLabel = "I", description = "topic of the input vectors (it must exist)")
    String inputTopic;

    @Option(names = "--output-topic", required = true, paramLabel = "O", description = "topic of the outputs (it must exist)")
    String outputTopic;

    @Option(names = "--application-id", required = true, paramLabel = "A",
            description = "Kafka Streams application id: instances with the same id share the work and the state")
    String applicationId;

    @Option(names = "--dead-letter-topic", paramLabel = "D",
            description = "topic for malformed records (it must exist); without it they are logged, counted and skipped")
    String deadLetterTopic;

    @Option(names = "--state-dir", paramLabel = "DIR", description = "folder of the local state stores (Kafka Streams' state.dir)")
    Path stateDir;

    @Option(names = "--config", paramLabel = "FILE",
            description = "Kafka Streams properties file, passed through (security, SASL/TLS, replication, ...); the flags above win over it")
    Path config;

    @Option(names = "--threads", paramLabel = "N", description = "stream threads in this instance (num.stream.threads; default 1)")
    Integer threads;

    @Option(names = "--format", defaultValue = "text", paramLabel = "text|f32le", converter = FormatName.class,
            description = "value format of inputs and outputs (default ${DEFAULT-VALUE})")
    String format;

    @Option(names = "--reset-state-on-model-change",
            description = "keys whose stored state another model made start fresh (logged) instead of stopping the app")
    boolean resetStateOnModelChange;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (threads != null && (threads < 1 || threads > 256))
            throw new ParameterException(spec.commandLine(), "--threads must be between 1 and 256, not " + threads);
        for (String[] t : new String[][] {{"--input-topic", inputTopic}, {"--output-topic", outputTopic},
                {"--application-id", applicationId}, {"--bootstrap-servers", bootstrapServers}, {"--dead-letter-topic", deadLetterTopic}})
            if (t[1] != null && t[1].isBlank()) throw new ParameterException(spec.commandLine(), t[0] + " is empty");
        return new KafkaApp(this, spec.commandLine().getErr()).run();
    }

    static final class FormatName implements ITypeConverter<String> {
        @Override
        public String convert(String s) {
            String f = s.toLowerCase(Locale.ROOT);
            if (!f.equals("text") && !f.equals("f32le")) throw new TypeConversionException("'" + s + "' is not a format: text or f32le");
            return f;
        }
    }
}
