package org.vecrnn.kafka;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.vecrnn.infer.InferenceModel;

/**
 * The cost of the model step inside Kafka Streams: the same topology (exactly once, the same RocksDB store
 * and changelog, the same parse and format) with the model's step, fp32 and int8, and with a pass-through
 * that reads and writes the same state without a model. Everything runs in this JVM against a real broker on
 * 127.0.0.1 (bench/kafka-run). Per run: records/s end to end (all inputs produced first, then the app's
 * time from RUNNING to its last committed output, as a read_committed consumer sees it), and p50/p99 of
 * produce-to-committed-output latency at a paced rate. Not a test: surefire does not run it.
 */
public final class KafkaBench {
    static final int N = 64, D = 256, K = 16, KEYS = 1000, PARTITIONS = 4, LATENCY_S = 10;

    public static void main(String[] args) throws Exception {
        int records = args.length > 0 ? Integer.parseInt(args[0]) : 60_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int paced = args.length > 2 ? Integer.parseInt(args[2]) : 1000; // records/s in the latency phase
        ValueFormat format = args.length > 3 ? ValueFormat.valueOf(args[3].toUpperCase(Locale.ROOT)) : ValueFormat.F32LE;
        Path dir = Files.createTempDirectory("vecrnn-kafka-bench");
        Path fp32 = KafkaModels.write(dir, "fp32.safetensors", N, D, K, 1, false), int8 = KafkaModels.write(dir, "int8.safetensors", N, D, K, 1, true);
        String[] variants = {"passthrough", "fp32", "int8"};
        double[][] rate = new double[3][rounds], p50 = new double[3][rounds], p99 = new double[3][rounds];
        try (LocalBroker broker = new LocalBroker()) {
            System.out.printf("# n=%d d=%d k=%d format=%s keys=%d partitions=%d records=%d paced=%d/s exactly_once_v2, 1 stream thread%n",
                    N, D, K, format.cliName(), KEYS, PARTITIONS, records, paced);
            int run = 0;
            for (int round = -1; round < rounds; round++) // round -1 warms up the JIT, its figures are not kept
                for (int v = 0; v < 3; v++) {
                    Path model = v == 2 ? int8 : fp32;
                    double[] r = run(broker, dir, "r" + run++, model, v == 0, format, round < 0 ? records / 4 : records, paced, round < 0 ? 2 : LATENCY_S);
                    if (round < 0) continue;
                    rate[v][round] = r[0];
                    p50[v][round] = r[1];
                    p99[v][round] = r[2];
                    System.out.printf(Locale.ROOT, "round=%d variant=%s records_per_s=%.0f p50_ms=%.0f p99_ms=%.0f%n", round, variants[v], r[0], r[1], r[2]);
                }
        }
        for (int v = 0; v < 3; v++)
            System.out.printf(Locale.ROOT, "median variant=%s records_per_s=%.0f p50_ms=%.0f p99_ms=%.0f ratio_to_passthrough=%.2f%n", variants[v],
                    median(rate[v]), median(p50[v]), median(p99[v]), median(ratios(rate[v], rate[0])));
    }

    /** {records/s, p50 ms, p99 ms} of one app on fresh topics; the latency phase sends {@code paced} records/s for {@code seconds}. */
    static double[] run(LocalBroker broker, Path dir, String id, Path modelFile, boolean passThrough, ValueFormat format, int records,
                        int paced, int seconds) throws Exception {
        int latencyRecords = paced * seconds;
        String in = id + "-in", out = id + "-out";
        broker.createTopic(in, PARTITIONS);
        broker.createTopic(out, PARTITIONS);
        SplittableRandom r = new SplittableRandom(id.hashCode());
        try (KafkaProducer<String, byte[]> p = broker.producer()) {
            List<java.util.concurrent.Future<?>> sent = new ArrayList<>(records);
            for (int i = 0; i < records; i++) sent.add(p.send(new ProducerRecord<>(in, "key-" + (i % KEYS), format.format(KafkaModels.input(r, N), N))));
            p.flush();
            for (var f : sent) f.get(); // a record the broker refused ends the run here, not in a wait for outputs that never come
        }
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, id);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("state-" + id).toString());
        props.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
        try (InferenceModel model = InferenceModel.load(modelFile); KafkaConsumer<String, byte[]> c = broker.committedReader()) {
            List<TopicPartition> tps = new ArrayList<>();
            for (int i = 0; i < PARTITIONS; i++) tps.add(new TopicPartition(out, i));
            c.assign(tps);
            c.seekToBeginning(tps);
            StreamStep step = StreamStep.of(model, ModelStamp.of(modelFile, model)).format(format);
            if (passThrough) step = step.passThrough();
            CountDownLatch running = new CountDownLatch(1);
            KafkaStreams app = new KafkaStreams(step.topology(in, out, null), props);
            app.setStateListener((now, before) -> {
                if (now == KafkaStreams.State.RUNNING) running.countDown();
            });
            try {
                app.start();
                if (!running.await(120, TimeUnit.SECONDS)) throw new IllegalStateException("the app did not reach RUNNING");
                long t0 = System.nanoTime();
                int got = LocalBroker.readAtLeast(c, records, Duration.ofMinutes(5)).size();
                long t1 = System.nanoTime();
                if (got != records) throw new IllegalStateException(got + " outputs of " + records);

                // latency: paced produce, each output's arrival against its input's create time (the output keeps it)
                long[] lat = new long[latencyRecords];
                Thread producer = Thread.ofPlatform().start(() -> {
                    try (KafkaProducer<String, byte[]> p = broker.producer()) {
                        long start = System.nanoTime(), every = 1_000_000_000L / paced;
                        for (int i = 0; i < latencyRecords; i++) {
                            long due = start + i * every;
                            long wait = due - System.nanoTime();
                            if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
                            p.send(new ProducerRecord<>(in, null, System.currentTimeMillis(), "key-" + (i % KEYS), format.format(KafkaModels.input(r, N), N)));
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                int seen = 0;
                long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
                while (seen < latencyRecords && System.nanoTime() < end)
                    for (ConsumerRecord<String, byte[]> o : c.poll(Duration.ofMillis(50))) if (seen < latencyRecords) lat[seen++] = System.currentTimeMillis() - o.timestamp();
                producer.join();
                if (seen != latencyRecords) throw new IllegalStateException(seen + " latency outputs of " + latencyRecords);
                Arrays.sort(lat);
                return new double[] {records * 1e9 / (t1 - t0), lat[latencyRecords / 2], lat[(int) Math.min(latencyRecords - 1, Math.ceil(latencyRecords * 0.99) - 1)]};
            } finally {
                app.close(Duration.ofSeconds(60));
                app.cleanUp();
            }
        }
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    static double[] ratios(double[] a, double[] b) {
        double[] q = new double[a.length];
        for (int i = 0; i < a.length; i++) q[i] = a[i] / b[i];
        return q;
    }
}
