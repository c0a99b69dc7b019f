package org.vecrnn.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.vecrnn.cli.Main;
import org.vecrnn.infer.InferenceModel;

/**
 * {@code vecrnn kafka} against a real KRaft broker in this JVM (127.0.0.1), the apps in child JVMs: exactly
 * once across an instance killed with SIGKILL, tombstones, dead letters, a model change, and the start-up
 * errors. One broker for the class; every child JVM is killed when its test ends.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class KafkaAppTest {
    static final int N = 4, D = 33, K = 3;
    static final Duration WAIT = Duration.ofSeconds(180);
    static LocalBroker broker;
    final List<Process> children = new ArrayList<>();

    @TempDir
    Path dir;

    @BeforeAll
    static void startBroker() throws Exception {
        long t0 = System.nanoTime();
        broker = new LocalBroker();
        System.out.printf("broker at %s up in %.1f s%n", broker.bootstrap(), (System.nanoTime() - t0) / 1e9);
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (broker != null) broker.close();
    }

    @AfterEach
    void killChildren() throws InterruptedException {
        for (Process p : children) {
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** `vecrnn kafka` in a child JVM, its stdout and stderr in log. */
    Process app(Path log, String... args) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-Xmx384m", "-cp", System.getProperty("java.class.path"), Main.class.getName(), "kafka",
                "--bootstrap-servers", broker.bootstrap()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        children.add(p);
        return p;
    }

    /** A config file for the apps: a dead instance leaves the group within seconds, not the default 45. */
    Path config() throws Exception {
        Path c = dir.resolve("streams.properties");
        Files.writeString(c, """
                session.timeout.ms=6000
                heartbeat.interval.ms=1500
                transaction.timeout.ms=10000
                """);
        return c;
    }

    static KafkaConsumer<String, byte[]> reader(String topic, int partitions) {
        KafkaConsumer<String, byte[]> c = broker.committedReader();
        List<TopicPartition> tps = new ArrayList<>();
        for (int p = 0; p < partitions; p++) tps.add(new TopicPartition(topic, p));
        c.assign(tps);
        c.seekToBeginning(tps);
        return c;
    }

    @Test
    void everyKeysOutputsAreItsReplayExactlyOnceAcrossAKilledInstance() throws Exception {
        long seed = 17;
        System.out.println("seed " + seed);
        broker.createTopic("eo-in", 4);
        broker.createTopic("eo-out", 4);
        Path model = KafkaModels.write(dir, "m.safetensors", N, D, K, seed, false);
        Path config = config();
        String[] common = {"--model", model.toString(), "--input-topic", "eo-in", "--output-topic", "eo-out", "--application-id", "eo",
                "--config", config.toString()};
        Path logA = dir.resolve("a.log"), logB = dir.resolve("b.log");
        Process a = app(logA, concat(common, "--state-dir", dir.resolve("state-a").toString()));
        Process b = app(logB, concat(common, "--state-dir", dir.resolve("state-b").toString()));

        // 300 keys of 20 steps, each round of steps in a new random key order
        SplittableRandom r = new SplittableRandom(seed);
        int keys = 300, steps = 20, total = keys * steps;
        Map<String, List<float[]>> inputs = new LinkedHashMap<>();
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < keys; i++) order.add(i);
        for (int s = 0; s < steps; s++) {
            Collections.shuffle(order, new java.util.Random(r.nextLong()));
            for (int i : order) {
                float[] x = KafkaModels.input(r, N);
                inputs.computeIfAbsent("device-" + i, k -> new ArrayList<>()).add(x);
                records.add(new ProducerRecord<>("eo-in", "device-" + i, ValueFormat.TEXT.format(x, N)));
            }
        }
        Thread producer = Thread.ofPlatform().name("eo-producer").start(() -> {
            try (KafkaProducer<String, byte[]> p = broker.producer()) {
                for (int i = 0; i < records.size(); i++) {
                    p.send(records.get(i));
                    if (i % 200 == 199) {
                        p.flush();
                        Thread.sleep(100);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });

        List<ConsumerRecord<String, byte[]>> got = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> out = reader("eo-out", 4)) {
            got.addAll(LocalBroker.readAtLeast(out, total / 4, WAIT));
            assertTrue(got.size() >= total / 4, "only " + got.size() + " outputs before the kill; a: " + Files.readString(logA) + "\nb: " + Files.readString(logB));
            assertTrue(a.isAlive(), "instance a ended early: " + Files.readString(logA));
            a.destroyForcibly(); // SIGKILL: no shutdown hook, no commit, its open transaction left behind
            a.waitFor();
            System.out.println("killed instance a after " + got.size() + " committed outputs");
            Process a2 = app(logA, concat(common, "--state-dir", dir.resolve("state-a").toString()));
            got.addAll(LocalBroker.readAtLeast(out, total - got.size(), WAIT));
            producer.join();
            got.addAll(LocalBroker.readAtLeast(out, Integer.MAX_VALUE, Duration.ofSeconds(3))); // anything twice would show here
            assertEquals(total, got.size(), "outputs; a: " + Files.readString(logA) + "\nb: " + Files.readString(logB));

            Map<String, List<float[]>> byKey = new HashMap<>();
            for (ConsumerRecord<String, byte[]> o : got) byKey.computeIfAbsent(o.key(), k -> new ArrayList<>()).add(StreamStepTest.parse(ValueFormat.TEXT, o.value(), K));
            try (InferenceModel m = InferenceModel.load(model)) {
                for (var e : inputs.entrySet()) {
                    List<float[]> want = KafkaModels.replay(m, e.getValue()), have = byKey.get(e.getKey());
                    assertEquals(want.size(), have.size(), e.getKey());
                    for (int i = 0; i < want.size(); i++) assertArrayEquals(want.get(i), have.get(i), e.getKey() + " step " + i);
                }
            }
            // SIGTERM: both close cleanly and exit 0 (a2 may still be starting on a loaded machine: SIGTERM then too)
            long until = System.nanoTime() + WAIT.toNanos();
            while (!Files.readString(logA).contains("stopped after") && System.nanoTime() < until
                    && Files.readString(logA).split("started; stop with", -1).length < 3)
                Thread.sleep(200);
            for (Process p : List.of(a2, b)) p.destroy();
            assertEquals(0, a2.waitFor(), Files.readString(logA));
            assertEquals(0, b.waitFor(), Files.readString(logB));
            assertTrue(Files.readString(logB).contains("stopped after"), Files.readString(logB));
        }
    }

    @Test
    void tombstonesResetDeadLettersKeepTheStateAndAnotherModelIsRefused() throws Exception {
        broker.createTopic("t-in", 2);
        broker.createTopic("t-out", 2);
        broker.createTopic("t-dlq", 1);
        Path modelA = KafkaModels.write(dir, "a.safetensors", N, D, K, 21, false), modelB = KafkaModels.write(dir, "b.safetensors", N, D, K, 22, true);
        String[] common = {"--input-topic", "t-in", "--output-topic", "t-out", "--dead-letter-topic", "t-dlq", "--application-id", "t",
                "--state-dir", dir.resolve("state").toString(), "--config", config().toString()};
        SplittableRandom r = new SplittableRandom(21);
        float[] x1 = KafkaModels.input(r, N), x2 = KafkaModels.input(r, N), x3 = KafkaModels.input(r, N), x4 = KafkaModels.input(r, N);
        Path log = dir.resolve("t.log");
        Process p = app(log, concat(common, "--model", modelA.toString()));
        List<String> bad = List.of("1 2 3", "1 2 x 4", "1 2 NaN 4");
        try (KafkaProducer<String, byte[]> prod = broker.producer(); KafkaConsumer<String, byte[]> out = reader("t-out", 2);
             KafkaConsumer<String, byte[]> dlq = reader("t-dlq", 1)) {
            prod.send(new ProducerRecord<>("t-in", "k1", ValueFormat.TEXT.format(x1, N)));
            prod.send(new ProducerRecord<>("t-in", "k1", bad.get(0).getBytes(StandardCharsets.UTF_8)));
            prod.send(new ProducerRecord<>("t-in", "k1", ValueFormat.TEXT.format(x2, N)));
            prod.send(new ProducerRecord<>("t-in", "k1", null));
            prod.send(new ProducerRecord<>("t-in", "k1", bad.get(1).getBytes(StandardCharsets.UTF_8)));
            prod.send(new ProducerRecord<>("t-in", "k1", ValueFormat.TEXT.format(x3, N)));
            prod.send(new ProducerRecord<>("t-in", "k2", bad.get(2).getBytes(StandardCharsets.UTF_8)));
            prod.send(new ProducerRecord<>("t-in", "k2", ValueFormat.TEXT.format(x4, N)));
            prod.flush();
            List<ConsumerRecord<String, byte[]>> o = LocalBroker.readAtLeast(out, 4, WAIT), d = LocalBroker.readAtLeast(dlq, 3, WAIT);
            assertEquals(4, o.size(), Files.readString(log));
            assertEquals(3, d.size(), Files.readString(log));
            Map<String, List<float[]>> byKey = new HashMap<>();
            for (ConsumerRecord<String, byte[]> c : o) byKey.computeIfAbsent(c.key(), k -> new ArrayList<>()).add(StreamStepTest.parse(ValueFormat.TEXT, c.value(), K));
            try (InferenceModel m = InferenceModel.load(modelA)) {
                List<float[]> k1 = KafkaModels.replay(m, List.of(x1, x2));
                k1.addAll(KafkaModels.replay(m, List.of(x3))); // the tombstone reset k1; the dead letters changed nothing
                List<float[]> k2 = KafkaModels.replay(m, List.of(x4));
                for (int i = 0; i < 3; i++) assertArrayEquals(k1.get(i), byKey.get("k1").get(i), "k1 step " + i);
                assertArrayEquals(k2.get(0), byKey.get("k2").get(0), "k2");
            }
            for (ConsumerRecord<String, byte[]> c : d) {
                String value = new String(c.value(), StandardCharsets.UTF_8);
                assertTrue(bad.contains(value), value);
                assertEquals("t-in", header(c, StepProcessor.TOPIC));
                assertTrue(header(c, StepProcessor.ERROR).startsWith(value.contains("x") || value.contains("NaN") ? "value 3 is not a number" : "expected 4 numbers"),
                        header(c, StepProcessor.ERROR));
                assertTrue(Long.parseLong(header(c, StepProcessor.OFFSET)) >= 0);
                assertTrue(Integer.parseInt(header(c, StepProcessor.PARTITION)) >= 0);
            }
            p.destroy();
            assertEquals(0, p.waitFor(), Files.readString(log));

            // another model on the same state: refused with both models named, a non-zero exit
            Path logB = dir.resolve("b.log");
            Process refused = app(logB, concat(common, "--model", modelB.toString()));
            assertTrue(refused.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "still running: " + Files.readString(logB));
            String text = Files.readString(logB);
            assertNotEquals(0, refused.exitValue(), text);
            assertTrue(text.contains("was made by model d=" + D) && text.contains("--reset-state-on-model-change"), text);

            // unless told to start fresh
            Path logC = dir.resolve("c.log");
            Process fresh = app(logC, concat(common, "--model", modelB.toString(), "--reset-state-on-model-change"));
            prod.send(new ProducerRecord<>("t-in", "k1", ValueFormat.TEXT.format(x4, N)));
            prod.flush();
            List<ConsumerRecord<String, byte[]>> more = LocalBroker.readAtLeast(out, 1, WAIT);
            assertEquals(1, more.size(), Files.readString(logC));
            try (InferenceModel m = InferenceModel.load(modelB)) {
                assertArrayEquals(KafkaModels.replay(m, List.of(x4)).get(0), StreamStepTest.parse(ValueFormat.TEXT, more.get(0).value(), K), "k1 started fresh");
            }
            fresh.destroy();
            assertEquals(0, fresh.waitFor(), Files.readString(logC));
            assertTrue(Files.readString(logC).contains("start fresh"), Files.readString(logC));
        }
    }

    @Test
    void aMissingTopicOrAnUnreachableBrokerIsOneClearLine() throws Exception {
        Path model = KafkaModels.write(dir, "m.safetensors", N, D, K, 31, false);
        StringWriter err = new StringWriter();
        int rc = Main.run(new String[] {"kafka", "--model", model.toString(), "--bootstrap-servers", broker.bootstrap(), "--input-topic", "nowhere",
                "--output-topic", "nowhere-out", "--application-id", "m", "--state-dir", dir.resolve("s").toString()}, new PrintWriter(new StringWriter()), new PrintWriter(err));
        assertEquals(1, rc, err.toString());
        assertTrue(err.toString().contains("topic 'nowhere' (--input-topic) does not exist"), err.toString());

        Path cfg = dir.resolve("fast.properties");
        Files.writeString(cfg, "default.api.timeout.ms=3000\nrequest.timeout.ms=3000\nsasl.jaas.config=secret-value\n");
        StringWriter err2 = new StringWriter();
        int port;
        try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort(); // closed again below: nothing listens there
        }
        rc = Main.run(new String[] {"kafka", "--model", model.toString(), "--bootstrap-servers", "127.0.0.1:" + port, "--input-topic", "i",
                "--output-topic", "o", "--application-id", "m", "--config", cfg.toString(), "--state-dir", dir.resolve("s").toString()},
                new PrintWriter(new StringWriter()), new PrintWriter(err2));
        assertEquals(1, rc, err2.toString());
        assertTrue(err2.toString().contains("no Kafka broker answered at 127.0.0.1:" + port), err2.toString());
        assertTrue(err2.toString().contains("sasl.jaas.config=[hidden]") && !err2.toString().contains("secret-value"), err2.toString());
    }

    @Test
    void aLoginWithoutRightsOrAWrongPasswordIsOneClearLine() throws Exception {
        broker.createTopic("secured-in", 1);
        Path model = KafkaModels.write(dir, "m.safetensors", N, D, K, 41, false);
        for (String password : List.of(LocalBroker.PASSWORD, "wrong-password")) {
            Path cfg = dir.resolve("sasl.properties");
            Files.writeString(cfg, "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\ndefault.api.timeout.ms=20000\nrequest.timeout.ms=20000\n"
                    + "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + LocalBroker.USER
                    + "\" password=\"" + password + "\";\n");
            StringWriter err = new StringWriter();
            int rc = Main.run(new String[] {"kafka", "--model", model.toString(), "--bootstrap-servers", broker.saslBootstrap(), "--input-topic", "secured-in",
                    "--output-topic", "secured-in", "--application-id", "s", "--config", cfg.toString(), "--state-dir", dir.resolve("s").toString()},
                    new PrintWriter(new StringWriter()), new PrintWriter(err));
            String text = err.toString();
            assertEquals(1, rc, text);
            assertTrue(text.contains(password.equals(LocalBroker.PASSWORD) ? "not authorised on " : "could not authenticate"), text);
            assertTrue(!text.contains(password), "the password is never printed: " + text);
        }
    }

    static String header(ConsumerRecord<String, byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        assertTrue(h != null, "no header " + name);
        return new String(h.value(), StandardCharsets.UTF_8);
    }

    static String[] concat(String[] a, String... b) {
        String[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
