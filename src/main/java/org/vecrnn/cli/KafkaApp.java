package org.vecrnn.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.MissingSourceTopicException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.vecrnn.VecrnnException;
import org.vecrnn.infer.InferenceModel;
import org.vecrnn.kafka.ModelStamp;
import org.vecrnn.kafka.StepCounters;
import org.vecrnn.kafka.StreamStep;
import org.vecrnn.kafka.ValueFormat;

/**
 * {@code vecrnn kafka} at run time: the effective configuration (logged, secrets masked), a check that the
 * brokers answer and the topics exist, then the app until a signal or a fatal error, with progress on stderr.
 */
final class KafkaApp {
    static final long PROGRESS_MS = 5_000, CLOSE_S = 60, DEFAULT_CHECK_MS = 30_000;
    /** Config keys whose values are never printed. */
    static final Pattern SECRET = Pattern.compile("(?i).*(password|secret|jaas|token|credential|\\.key$|keystore\\.key|private).*");
    /** Kafka's own logs go to java.util.logging (slf4j-jdk14): warnings and errors only; held so the level sticks. */
    private static final java.util.logging.Logger KAFKA_LOGS = java.util.logging.Logger.getLogger("org.apache.kafka");

    private final KafkaCommand c;
    private final PrintWriter err;

    KafkaApp(KafkaCommand c, PrintWriter err) {
        this.c = c;
        this.err = err;
    }

    private final CountDownLatch stop = new CountDownLatch(1), finished = new CountDownLatch(1);
    private final AtomicBoolean signalled = new AtomicBoolean();
    private final AtomicInteger exitCode = new AtomicInteger(1);

    /**
     * SIGTERM and SIGINT start the JVM's shutdown: this hook stops the app (or its start) cleanly, then ends the JVM
     * with the app's exit code (a signal's own code would be 143 or 130). Installed first, so that a signal during
     * the start-up checks is a clean stop too.
     */
    int run() {
        Thread hook = new Thread(() -> {
            signalled.set(true);
            stop.countDown();
            try {
                finished.await(CLOSE_S + 10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            err.flush();
            Runtime.getRuntime().halt(exitCode.get());
        }, "vecrnn-kafka-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        int code = 1;
        try {
            code = start();
            return code;
        } catch (VecrnnException e) {
            if (!signalled.get()) throw e;
            err.println("vecrnn kafka: " + e.getMessage()); // the hook ends the JVM before the command line could say it
            return code;
        } finally {
            exitCode.set(code);
            err.flush();
            finished.countDown();
            if (!signalled.get()) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the JVM is already shutting down: the hook ends it with our exit code
                }
            }
        }
    }

    private int start() {
        if (KAFKA_LOGS.getLevel() == null) KAFKA_LOGS.setLevel(java.util.logging.Level.WARNING);
        Properties props = effectiveConfig();
        printConfig(props);
        try (InferenceModel model = InferenceModel.load(c.model)) {
            ModelStamp stamp = ModelStamp.of(c.model, model);
            say("model " + c.model + ": n=" + model.n() + " k=" + model.k() + " " + stamp + "; " + model.describe());
            checkBrokerAndTopics(props);
            StreamStep step = StreamStep.of(model, stamp)
                    .format(ValueFormat.valueOf(c.format.toUpperCase(Locale.ROOT)))
                    .resetOnModelChange(c.resetStateOnModelChange);
            if (signalled.get()) {
                say("stopped before the app started");
                return 0;
            }
            KafkaStreams streams;
            try {
                streams = new KafkaStreams(step.topology(c.inputTopic, c.outputTopic, c.deadLetterTopic), props);
            } catch (KafkaException e) { // e.g. a state directory that cannot be written, or is locked by another instance
                throw new VecrnnException("cannot start the app: " + explain(e));
            }
            return runUntilStopped(streams, step.counters());
        }
    }

    /** The --config file, then exactly_once_v2 unless it says otherwise, then the flags, which win. */
    Properties effectiveConfig() {
        Properties p = new Properties();
        if (c.config != null) {
            try (Reader r = Files.newBufferedReader(c.config, StandardCharsets.UTF_8)) {
                p.load(r);
            } catch (IOException | IllegalArgumentException e) {
                throw VecrnnException.inFile(c.config, "cannot read it as a properties file: " + e.getMessage());
            }
        }
        p.putIfAbsent(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        Map<String, String> flags = new LinkedHashMap<>();
        flags.put(StreamsConfig.APPLICATION_ID_CONFIG, c.applicationId);
        flags.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, c.bootstrapServers);
        if (c.threads != null) flags.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, c.threads.toString());
        if (c.stateDir != null) flags.put(StreamsConfig.STATE_DIR_CONFIG, c.stateDir.toString());
        flags.forEach((key, value) -> {
            Object old = p.put(key, value);
            if (old != null && !old.equals(value)) say("the command line's " + key + " wins over the config file's");
        });
        try {
            new StreamsConfig(p); // bad values fail here, before anything connects
        } catch (ConfigException e) {
            throw new VecrnnException((c.config == null ? "" : c.config + ": ") + e.getMessage());
        }
        return p;
    }

    private void printConfig(Properties p) {
        Map<String, String> sorted = new TreeMap<>();
        p.forEach((k, v) -> sorted.put(k.toString(), SECRET.matcher(k.toString()).matches() ? "[hidden]" : v.toString()));
        StringBuilder sb = new StringBuilder("config:");
        sorted.forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
        say(sb.toString());
    }

    /** Whether the brokers answer and the topics exist, with a message that says what to do; not an endless retry loop. */
    private void checkBrokerAndTopics(Properties p) {
        long timeoutMs = DEFAULT_CHECK_MS;
        Object t = p.get("default.api.timeout.ms");
        if (t != null) {
            try {
                timeoutMs = Math.max(1, Long.parseLong(t.toString().strip()));
            } catch (NumberFormatException e) {
                // StreamsConfig passed it on; the admin client will say what is wrong with it
            }
        }
        Map<String, Object> admin = new StreamsConfig(p).getAdminConfigs("vecrnn-check");
        Map<String, String> topics = new LinkedHashMap<>();
        topics.put(c.inputTopic, "--input-topic");
        topics.putIfAbsent(c.outputTopic, "--output-topic");
        if (c.deadLetterTopic != null) topics.putIfAbsent(c.deadLetterTopic, "--dead-letter-topic");
        try (Admin a = Admin.create(admin)) {
            var described = a.describeTopics(topics.keySet(), new DescribeTopicsOptions().timeoutMs((int) Math.min(Integer.MAX_VALUE, timeoutMs)));
            for (var e : topics.entrySet()) {
                try {
                    var d = described.topicNameValues().get(e.getKey()).get();
                    if (e.getValue().equals("--input-topic")) say("input topic " + d.name() + ": " + d.partitions().size() + " partitions (at most that many instances and threads share the work)");
                } catch (java.util.concurrent.ExecutionException x) {
                    Throwable cause = x.getCause();
                    if (cause instanceof UnknownTopicOrPartitionException)
                        throw new VecrnnException("topic '" + e.getKey() + "' (" + e.getValue() + ") does not exist on " + c.bootstrapServers
                                + ": create it first, e.g. kafka-topics.sh --bootstrap-server " + c.bootstrapServers + " --create --topic " + e.getKey());
                    throw brokerProblem(cause);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VecrnnException("interrupted while checking the brokers at " + c.bootstrapServers);
        } catch (KafkaException e) {
            throw brokerProblem(e);
        }
    }

    private VecrnnException brokerProblem(Throwable cause) {
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        if (cause instanceof TimeoutException)
            return new VecrnnException("no Kafka broker answered at " + c.bootstrapServers + " in time: check --bootstrap-servers, that the brokers run,"
                    + " and the security settings in --config");
        if (cause instanceof AuthenticationException)
            return new VecrnnException("could not authenticate to the brokers at " + c.bootstrapServers + ": " + cause.getMessage()
                    + " (check the security settings in --config)");
        if (cause instanceof AuthorizationException)
            return new VecrnnException("not authorised on " + c.bootstrapServers + ": " + cause.getMessage()
                    + " (the app's principal needs to read, write and describe its topics, and to create its internal topics)");
        return new VecrnnException("cannot use the brokers at " + c.bootstrapServers + ": " + root.getMessage());
    }

    private int runUntilStopped(KafkaStreams streams, StepCounters counters) {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        streams.setUncaughtExceptionHandler(e -> {
            failure.compareAndSet(null, e);
            stop.countDown();
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        streams.setStateListener((now, before) -> {
            if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.NOT_RUNNING) stop.countDown();
        });
        try {
            streams.start();
            say("started; stop with SIGTERM or Ctrl-C");
            long t0 = System.nanoTime(), lastT = t0, lastSteps = 0;
            while (!stop.await(PROGRESS_MS, TimeUnit.MILLISECONDS)) {
                long now = System.nanoTime(), steps = counters.steps();
                say(progress(streams, counters, (steps - lastSteps) * 1e9 / Math.max(1, now - lastT)));
                lastT = now;
                lastSteps = steps;
            }
            if (signalled.get()) say("stopping: committing and closing");
            boolean closed = streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                    .withTimeout(Duration.ofSeconds(CLOSE_S)));
            say("stopped after " + counters.steps() + " records, " + counters.deadLetters() + " dead letters, " + counters.resets() + " resets"
                    + (closed ? "" : " (not closed within " + CLOSE_S + " s)"));
            Throwable f = failure.get();
            if (f != null) {
                err.println("vecrnn kafka: stopped on an error: " + explain(f));
                return 1;
            }
            if (!closed) return 1;
            if (streams.state() == KafkaStreams.State.ERROR) {
                err.println("vecrnn kafka: the app stopped on an error");
                return 1;
            }
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            streams.close(Duration.ofSeconds(CLOSE_S));
            return 1;
        }
    }

    private static String progress(KafkaStreams streams, StepCounters counters, double perSecond) {
        StringBuilder sb = new StringBuilder(streams.state().toString().toLowerCase(Locale.ROOT));
        sb.append(": ").append(counters.steps()).append(" records, ").append(String.format(Locale.ROOT, "%.0f", perSecond)).append(" records/s, ");
        try {
            long keys = streams.store(StoreQueryParameters.fromNameAndType(StreamStep.STORE, QueryableStoreTypes.<String, byte[]>keyValueStore()))
                    .approximateNumEntries();
            sb.append("about ").append(keys).append(" keys in store, ");
        } catch (RuntimeException notQueryableNow) { // rebalancing or restoring: skip the figure this time
            sb.append("keys in store unknown (").append(streams.state() == KafkaStreams.State.RUNNING ? "restoring" : "not running").append("), ");
        }
        sb.append(counters.deadLetters()).append(" dead letters");
        double lag = streams.metrics().entrySet().stream()
                .filter(e -> e.getKey().name().equals("records-lag-max") && e.getKey().group().equals("consumer-fetch-manager-metrics")
                        && !e.getKey().tags().containsKey("topic") && !e.getKey().tags().getOrDefault("client-id", "").contains("restore"))
                .mapToDouble(e -> e.getValue().metricValue() instanceof Number n ? n.doubleValue() : Double.NaN)
                .filter(Double::isFinite).max().orElse(Double.NaN);
        if (Double.isFinite(lag)) sb.append(", lag ").append((long) lag);
        return sb.toString();
    }

    /** One line for the error that stopped the app. */
    static String explain(Throwable f) {
        for (Throwable t = f; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof VecrnnException) return t.getMessage();
            if (t instanceof MissingSourceTopicException) return "the input topic is missing: " + t.getMessage();
            if (t instanceof AuthorizationException) return "not authorised: " + t.getMessage();
            if (t instanceof AuthenticationException) return "could not authenticate: " + t.getMessage();
        }
        Throwable root = f;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        return root.getMessage() != null ? root.getMessage() : root.toString();
    }

    private void say(String line) {
        err.println("vecrnn kafka: " + line);
        err.flush();
    }
}
