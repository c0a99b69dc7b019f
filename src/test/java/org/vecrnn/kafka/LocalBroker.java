package org.vecrnn.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;

/**
 * A real KRaft broker (one combined controller and broker, as a server.properties of Kafka's quick start sets up, on 127.0.0.1) in this JVM, for the integration tests and the
 * benchmark: single-replica internal topics, so transactions work on one node. Close it when done.
 */
final class LocalBroker implements AutoCloseable {
    /** Held, so that the levels stick: the broker's INFO logs would fill the test output. */
    private static final List<Logger> QUIET = new ArrayList<>();

    static {
        for (String name : List.of("kafka", "org.apache.kafka", "state.change.logger", "org.apache.kafka.streams")) {
            Logger l = Logger.getLogger(name);
            if (!Boolean.getBoolean("vecrnn.brokerLogs")) l.setLevel(Level.SEVERE);
            QUIET.add(l);
        }
    }

    private final KafkaRaftServer server;
    private final Path dir;
    private final String bootstrap, saslBootstrap;
    /** The one user of the SASL listener: known to the broker, granted nothing. */
    static final String USER = "alice", PASSWORD = "alice-password";

    LocalBroker() throws Exception {
        dir = Files.createTempDirectory("vecrnn-kafka-broker");
        int brokerPort = freePort(), saslPort = freePort(), controllerPort = freePort();
        bootstrap = "127.0.0.1:" + brokerPort;
        saslBootstrap = "127.0.0.1:" + saslPort;
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        // PLAINTEXT for the tests' own clients and the apps (ANONYMOUS, a super user); SASL_PLAINTEXT for a
        // user without rights, so that the refusals of a secured cluster can be tested too
        p.put("listeners", "PLAINTEXT://" + bootstrap + ",SASL_PLAINTEXT://" + saslBootstrap + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://" + bootstrap + ",SASL_PLAINTEXT://" + saslBootstrap);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("sasl.enabled.mechanisms", "PLAIN");
        p.put("listener.name.sasl_plaintext.plain.sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required user_" + USER + "=\"" + PASSWORD + "\";");
        p.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        p.put("super.users", "User:ANONYMOUS");
        p.put("log.dirs", dir.resolve("data").toString());
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "4");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "4");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("auto.create.topics.enable", "false");
        Path config = dir.resolve("server.properties");
        try (var w = Files.newBufferedWriter(config)) {
            p.store(w, null);
        }
        ByteArrayOutputStream formatLog = new ByteArrayOutputStream();
        int rc = StorageTool.execute(new String[] {"format", "-t", Uuid.randomUuid().toString(), "-c", config.toString()},
                new PrintStream(formatLog, true, StandardCharsets.UTF_8));
        if (rc != 0) throw new IllegalStateException("formatting the broker's storage failed: " + formatLog);
        server = new KafkaRaftServer(new KafkaConfig(p), Time.SYSTEM);
        try {
            server.startup();
            waitUntilReady();
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    private void waitUntilReady() throws Exception {
        try (Admin a = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            a.describeCluster().nodes().get(60, TimeUnit.SECONDS);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    String bootstrap() {
        return bootstrap;
    }

    /** The SASL/PLAIN listener, where {@link #USER} may log in and do nothing else. */
    String saslBootstrap() {
        return saslBootstrap;
    }

    void createTopic(String name, int partitions) throws Exception {
        try (Admin a = Admin.create(Map.of("bootstrap.servers", bootstrap()))) {
            a.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get();
        }
    }

    KafkaProducer<String, byte[]> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    /** A consumer that sees committed records only, from the start of its topics. */
    KafkaConsumer<String, byte[]> committedReader() {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    }

    /** Polls until at least {@code count} records arrived or the deadline passed; returns what arrived. */
    static List<ConsumerRecord<String, byte[]>> readAtLeast(KafkaConsumer<String, byte[]> c, int count, Duration within) {
        List<ConsumerRecord<String, byte[]>> got = new ArrayList<>();
        long end = System.nanoTime() + within.toNanos();
        while (got.size() < count && System.nanoTime() < end)
            for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) got.add(r);
        return got;
    }

    @Override
    public void close() throws IOException {
        try {
            server.shutdown();
            server.awaitShutdown();
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }
}
