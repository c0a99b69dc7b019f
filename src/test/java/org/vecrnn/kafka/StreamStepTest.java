package org.vecrnn.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.vecrnn.infer.InferenceModel;
import org.vecrnn.io.ModelFile;
import org.vecrnn.model.ElmanRnn;
import org.vecrnn.model.Nonlinearity;
import org.vecrnn.model.Output;
import org.vecrnn.model.Parameters;

/** The step's topology without a broker (TopologyTestDriver): outputs, state, tombstones, dead letters, model changes. */
class StreamStepTest {
    static final String IN = "in", OUT = "out", DLQ = "dlq";
    static final int N = 3, D = 17, K = 2;

    @TempDir
    Path dir;

    static Properties props(Path stateDir) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "step-test");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9");
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        return p;
    }

    /** One driver over a model file; in, out and dead letters as raw bytes. */
    record Driver(TopologyTestDriver driver, TestInputTopic<String, byte[]> in, TestOutputTopic<String, byte[]> out,
                  TestOutputTopic<String, byte[]> dlq, InferenceModel model, StreamStep step) implements AutoCloseable {
        static Driver of(Path model, Path stateDir, ValueFormat f, boolean reset, boolean withDlq) {
            InferenceModel m = InferenceModel.load(model);
            StreamStep step = StreamStep.of(m, ModelStamp.of(model, m)).format(f).resetOnModelChange(reset);
            TopologyTestDriver d = new TopologyTestDriver(step.topology(IN, OUT, withDlq ? DLQ : null), props(stateDir));
            return new Driver(d, d.createInputTopic(IN, Serdes.String().serializer(), Serdes.ByteArray().serializer()),
                    d.createOutputTopic(OUT, Serdes.String().deserializer(), Serdes.ByteArray().deserializer()),
                    d.createOutputTopic(DLQ, Serdes.String().deserializer(), Serdes.ByteArray().deserializer()), m, step);
        }

        KeyValueStore<String, byte[]> store() {
            return driver.getKeyValueStore(StreamStep.STORE);
        }

        @Override
        public void close() {
            driver.close();
            model.close();
        }
    }

    @ParameterizedTest(name = "{0} int8={1} seed={2}")
    @CsvSource({"TEXT,false,11", "F32LE,false,12", "TEXT,true,13", "F32LE,true,14"})
    void interleavedKeysGetTheirOwnReplay(ValueFormat f, boolean int8, long seed) {
        System.out.println("seed " + seed);
        Path model = KafkaModels.write(dir, "m.safetensors", N, D, K, seed, int8);
        SplittableRandom r = new SplittableRandom(seed);
        try (Driver t = Driver.of(model, dir.resolve("state"), f, false, true)) {
            Map<String, List<float[]>> inputs = new HashMap<>();
            List<String> order = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                String key = "key-" + r.nextInt(37);
                float[] x = KafkaModels.input(r, N);
                inputs.computeIfAbsent(key, k -> new ArrayList<>()).add(x);
                order.add(key);
                t.in.pipeInput(key, f.format(x, N));
            }
            Map<String, List<float[]>> got = new HashMap<>();
            for (TestRecord<String, byte[]> o : t.out.readRecordsToList())
                got.computeIfAbsent(o.key(), k -> new ArrayList<>()).add(parse(f, o.value(), K));
            assertEquals(inputs.keySet(), got.keySet());
            for (var e : inputs.entrySet()) {
                List<float[]> want = KafkaModels.replay(t.model, e.getValue()), have = got.get(e.getKey());
                assertEquals(want.size(), have.size(), e.getKey());
                for (int i = 0; i < want.size(); i++) assertArrayEquals(want.get(i), have.get(i), e.getKey() + " step " + i);
            }
            assertTrue(t.dlq.isEmpty());
            assertEquals(400, t.step.counters().steps());
            // the stored state is the replay's last h, under this model's stamp
            byte[] saved = t.store().get(order.getLast());
            assertEquals(ModelStamp.of(model, t.model), StateBytes.stamp(saved));
        }
    }

    /** Stacked models (safetensors and ONNX) from the deep oracle: every layer's state is stored and restored. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"m2m_softmax_ce_L2_relu_n7_d33_k5_T9_B2_s2005.safetensors", "o2m_sigmoid_ce_L3_tanh_n1_d33_k3_T6_B2_s2002.onnx"})
    void stackedModelsKeepEveryLayersState(String name) {
        Path model = Path.of(System.getProperty("vecrnn.oracle"), "deep", name);
        SplittableRandom r = new SplittableRandom(name.hashCode());
        System.out.println("seed " + name.hashCode());
        try (Driver t = Driver.of(model, dir.resolve("state"), ValueFormat.F32LE, false, true)) {
            int n = t.model.n(), k = t.model.k();
            ModelStamp stamp = t.step.stamp();
            assertTrue(stamp.layers() > 1, stamp.toString());
            assertEquals(stamp.layers() * stamp.d(), stamp.stateSize());
            Map<String, List<float[]>> inputs = new HashMap<>();
            for (int i = 0; i < 60; i++) {
                String key = "k" + r.nextInt(5);
                float[] x = KafkaModels.input(r, n);
                inputs.computeIfAbsent(key, q -> new ArrayList<>()).add(x);
                t.in.pipeInput(key, ValueFormat.F32LE.format(x, n));
            }
            Map<String, List<float[]>> got = new HashMap<>();
            for (TestRecord<String, byte[]> o : t.out.readRecordsToList())
                got.computeIfAbsent(o.key(), q -> new ArrayList<>()).add(parse(ValueFormat.F32LE, o.value(), k));
            for (var e : inputs.entrySet()) {
                List<float[]> want = KafkaModels.replay(t.model, e.getValue());
                for (int i = 0; i < want.size(); i++) assertArrayEquals(want.get(i), got.get(e.getKey()).get(i), e.getKey() + " step " + i);
            }
        }
    }

    @Test
    void tombstoneResetsTheKeyAndGivesNoOutput() {
        Path model = KafkaModels.write(dir, "m.safetensors", N, D, K, 21, false);
        SplittableRandom r = new SplittableRandom(21);
        float[] x1 = KafkaModels.input(r, N), x2 = KafkaModels.input(r, N);
        try (Driver t = Driver.of(model, dir.resolve("state"), ValueFormat.TEXT, false, true)) {
            t.in.pipeInput("k", ValueFormat.TEXT.format(x1, N));
            t.in.pipeInput("k", (byte[]) null);
            assertNull(t.store().get("k"));
            t.in.pipeInput("k", ValueFormat.TEXT.format(x2, N));
            List<TestRecord<String, byte[]>> out = t.out.readRecordsToList();
            assertEquals(2, out.size(), "the tombstone gives no output");
            assertArrayEquals(KafkaModels.replay(t.model, List.of(x2)).get(0), parse(ValueFormat.TEXT, out.get(1).value(), K),
                    "after the tombstone the key starts from h = 0");
            assertEquals(1, t.step.counters().resets());
        }
    }

    @Test
    void malformedValuesGoToTheDeadLetterTopicAndLeaveTheStateAlone() {
        Path model = KafkaModels.write(dir, "m.safetensors", N, D, K, 31, false);
        SplittableRandom r = new SplittableRandom(31);
        float[] x1 = KafkaModels.input(r, N), x2 = KafkaModels.input(r, N);
        try (Driver t = Driver.of(model, dir.resolve("state"), ValueFormat.TEXT, false, true)) {
            t.in.pipeInput("k", ValueFormat.TEXT.format(x1, N));
            byte[] before = t.store().get("k");
            List<String> bad = List.of("1 2", "1 2 3 4", "1 x 3", "1 1e39 3", "Infinity 0 0", "", "   ", "1 0x1p3 3", "1f 2 3");
            for (String b : bad) t.in.pipeInput("k", b.getBytes(StandardCharsets.UTF_8));
            assertArrayEquals(before, t.store().get("k"), "a malformed value changes no state");
            t.in.pipeInput("k", ValueFormat.TEXT.format(x2, N));
            List<TestRecord<String, byte[]>> out = t.out.readRecordsToList();
            assertEquals(2, out.size());
            assertArrayEquals(KafkaModels.replay(t.model, List.of(x1, x2)).get(1), parse(ValueFormat.TEXT, out.get(1).value(), K));
            List<TestRecord<String, byte[]>> dead = t.dlq.readRecordsToList();
            assertEquals(bad.size(), dead.size());
            for (int i = 0; i < bad.size(); i++) {
                TestRecord<String, byte[]> d = dead.get(i);
                assertEquals("k", d.key());
                assertArrayEquals(bad.get(i).getBytes(StandardCharsets.UTF_8), d.value(), "the dead letter is the record unchanged");
                assertEquals(IN, header(d, StepProcessor.TOPIC));
                assertEquals("0", header(d, StepProcessor.PARTITION));
                assertEquals(Integer.toString(i + 1), header(d, StepProcessor.OFFSET));
                assertTrue(!header(d, StepProcessor.ERROR).isBlank());
            }
            assertTrue(header(dead.get(0), StepProcessor.ERROR).contains("expected 3 numbers, found 2"), header(dead.get(0), StepProcessor.ERROR));
            assertTrue(header(dead.get(3), StepProcessor.ERROR).contains("value 2 is not finite"), header(dead.get(3), StepProcessor.ERROR));
            assertTrue(header(dead.get(4), StepProcessor.ERROR).contains("value 1 is not a number"), header(dead.get(4), StepProcessor.ERROR));
            assertEquals(bad.size(), t.step.counters().deadLetters());
        }
    }

    @Test
    void f32leOfTheWrongLengthOrNonFiniteIsADeadLetter() {
        Path model = KafkaModels.write(dir, "m.safetensors", N, D, K, 41, false);
        try (Driver t = Driver.of(model, dir.resolve("state"), ValueFormat.F32LE, false, true)) {
            t.in.pipeInput("k", new byte[11]);
            t.in.pipeInput("k", ValueFormat.F32LE.format(new float[] {1, Float.NaN, 0}, N));
            t.in.pipeInput("k", ValueFormat.F32LE.format(new float[] {1, Float.NEGATIVE_INFINITY, 0}, N));
            assertTrue(t.out.isEmpty());
            assertNull(t.store().get("k"));
            List<TestRecord<String, byte[]>> dead = t.dlq.readRecordsToList();
            assertEquals(3, dead.size());
            assertTrue(header(dead.get(0), StepProcessor.ERROR).contains("expected 12 bytes"), header(dead.get(0), StepProcessor.ERROR));
        }
    }

    @Test
    void aStepWhoseOutputWouldNotBeFiniteIsADeadLetter() {
        // h0 = h1 = tanh(x0) and o0 = 2e38 (h0 + h1): finite for |x0| <= 1 (as the load's warm-up steps), +Inf for x0 = 1000
        float[] U = new float[D * N], V = new float[K * D];
        U[0] = U[N] = 1;
        V[0] = V[1] = 2e38f;
        overflowIsADeadLetterAndTheStateIsKept(Nonlinearity.TANH, U, V, "output 0 Infinity");
    }

    /** A relu state that overflows: h0 = relu(3e38 x0) is finite for x0 <= 1 and +Inf for x0 = 1000. */
    @Test
    void aStepWhoseStateWouldNotBeFiniteIsADeadLetter() {
        float[] U = new float[D * N], V = new float[K * D];
        U[0] = 3e38f;
        V[0] = 1e-38f;
        overflowIsADeadLetterAndTheStateIsKept(Nonlinearity.RELU, U, V, "hidden value 0 Infinity");
    }

    /** "0.5 0 0" steps, "1000 0 0" overflows: a dead letter saying {@code what}, the stored state as it was. */
    void overflowIsADeadLetterAndTheStateIsKept(Nonlinearity f, float[] U, float[] V, String what) {
        Path model = dir.resolve("m.safetensors");
        try (ElmanRnn m = ElmanRnn.of(N, D, K, Output.IDENTITY, f, new Parameters(U, new float[D * D], new float[D], V, new float[K]))) {
            ModelFile.save(m, model, Map.of());
        }
        try (Driver t = Driver.of(model, dir.resolve("state"), ValueFormat.TEXT, false, true)) {
            t.in.pipeInput("k", "0.5 0 0".getBytes(StandardCharsets.UTF_8));
            byte[] before = t.store().get("k");
            t.in.pipeInput("k", "1000 0 0".getBytes(StandardCharsets.UTF_8));
            assertArrayEquals(before, t.store().get("k"), "the state is unchanged");
            assertEquals(1, t.out.readRecordsToList().size());
            String why = header(t.dlq.readRecord(), StepProcessor.ERROR);
            assertTrue(why.contains(what) && why.contains("the state is unchanged"), why);
            assertEquals(1, t.step.counters().steps());
        }
    }

    @Test
    void withoutADeadLetterTopicMalformedValuesAreCountedAndSkipped() {
        Path model = KafkaModels.write(dir, "m.safetensors", N, D, K, 51, false);
        try (Driver t = Driver.of(model, dir.resolve("state"), ValueFormat.TEXT, false, false)) {
            t.in.pipeInput("k", "not numbers".getBytes(StandardCharsets.UTF_8));
            t.in.pipeInput((String) null, "1 2 3".getBytes(StandardCharsets.UTF_8));
            t.in.pipeInput("k", "1 2 3".getBytes(StandardCharsets.UTF_8));
            assertEquals(1, t.out.readRecordsToList().size());
            assertEquals(2, t.step.counters().deadLetters());
        }
    }

    @Test
    void anotherModelIsRefusedUnlessToldToStartFresh() {
        Path a = KafkaModels.write(dir, "a.safetensors", N, D, K, 61, false), b = KafkaModels.write(dir, "b.safetensors", N, D, K, 62, false);
        Path state = dir.resolve("state");
        float[] x = KafkaModels.input(new SplittableRandom(61), N);
        // TopologyTestDriver keeps stores in memory per driver: carry the store's bytes over by hand
        byte[] saved;
        try (Driver t = Driver.of(a, state, ValueFormat.TEXT, false, true)) {
            t.in.pipeInput("k", ValueFormat.TEXT.format(x, N));
            saved = t.store().get("k");
        }
        try (Driver t = Driver.of(b, state, ValueFormat.TEXT, false, true)) {
            t.store().put("k", saved);
            Exception e = assertThrows(Exception.class, () -> t.in.pipeInput("k", ValueFormat.TEXT.format(x, N)));
            ModelChangedException m = cause(e, ModelChangedException.class);
            ModelStamp sa = ModelStamp.of(a, t.model), sb = ModelStamp.of(b, t.model);
            assertTrue(m.getMessage().contains(sa.toString()) && m.getMessage().contains(sb.toString()), m.getMessage());
            assertArrayEquals(saved, t.store().get("k"), "the refused state is kept");
        }
        try (Driver t = Driver.of(b, state, ValueFormat.TEXT, true, true)) {
            t.store().put("k", saved);
            t.in.pipeInput("k", ValueFormat.TEXT.format(x, N));
            assertArrayEquals(KafkaModels.replay(t.model, List.of(x)).get(0), parse(ValueFormat.TEXT, t.out.readValue(), K), "started fresh");
            assertEquals(1, t.step.counters().freshStarts());
            assertEquals(ModelStamp.of(b, t.model), StateBytes.stamp(t.store().get("k")));
        }
    }

    @Test
    void embedsInAUsersStreamsBuilder() {
        Path model = KafkaModels.write(dir, "m.safetensors", N, D, K, 81, false);
        SplittableRandom r = new SplittableRandom(81);
        float[] x1 = KafkaModels.input(r, N), x2 = KafkaModels.input(r, N);
        try (InferenceModel m = InferenceModel.load(model)) {
            StreamStep step = StreamStep.of(m, ModelStamp.of(model, m)).format(ValueFormat.F32LE);
            StreamsBuilder b = new StreamsBuilder();
            b.stream(IN, Consumed.with(Serdes.String(), Serdes.ByteArray())).process(step).to(OUT, Produced.with(Serdes.String(), Serdes.ByteArray()));
            Serde<float[]> in = ValueFormat.F32LE.serde(N), out = ValueFormat.F32LE.serde(K);
            try (TopologyTestDriver d = new TopologyTestDriver(b.build(), props(dir.resolve("state")))) {
                TestInputTopic<String, float[]> i = d.createInputTopic(IN, Serdes.String().serializer(), in.serializer());
                i.pipeInput("k", x1);
                i.pipeInput("k", x2);
                List<float[]> o = d.createOutputTopic(OUT, Serdes.String().deserializer(), out.deserializer()).readValuesToList();
                List<float[]> want = KafkaModels.replay(m, List.of(x1, x2));
                assertEquals(2, o.size());
                for (int t = 0; t < 2; t++) assertArrayEquals(want.get(t), o.get(t));
            }
        }
    }

    @Test
    void serdesRefuseMalformedVectors() {
        Serde<float[]> text = ValueFormat.TEXT.serde(2);
        assertArrayEquals(new float[] {1.5f, -2f}, text.deserializer().deserialize("t", "1.5, -2".getBytes(StandardCharsets.UTF_8)));
        assertThrows(SerializationException.class, () -> text.deserializer().deserialize("t", "1.5".getBytes(StandardCharsets.UTF_8)));
        assertThrows(SerializationException.class, () -> text.serializer().serialize("t", new float[3]));
        assertThrows(SerializationException.class, () -> ValueFormat.F32LE.serde(2).deserializer().deserialize("t", new byte[7]));
        assertNull(text.deserializer().deserialize("t", null));
    }

    @Test
    void passThroughReadsAndWritesTheStateWithoutTheModel() {
        Path model = KafkaModels.write(dir, "m.safetensors", N, D, K, 71, false);
        InferenceModel m = InferenceModel.load(model);
        StreamStep step = StreamStep.of(m, ModelStamp.of(model, m)).passThrough();
        try (m; TopologyTestDriver d = new TopologyTestDriver(step.topology(IN, OUT, null), props(dir.resolve("state")))) {
            d.createInputTopic(IN, Serdes.String().serializer(), Serdes.ByteArray().serializer()).pipeInput("k", "1 2 3".getBytes(StandardCharsets.UTF_8));
            assertEquals("1.0 2.0", new String(d.createOutputTopic(OUT, Serdes.String().deserializer(), Serdes.ByteArray().deserializer()).readValue(), StandardCharsets.UTF_8));
            assertEquals(StateBytes.HEADER + 4 * D, d.<String, byte[]>getKeyValueStore(StreamStep.STORE).get("k").length);
        }
    }

    static <T extends Throwable> T cause(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause()) if (type.isInstance(t)) return type.cast(t);
        throw new AssertionError("no " + type.getSimpleName() + " in " + e, e);
    }

    static float[] parse(ValueFormat f, byte[] value, int size) {
        float[] v = new float[size];
        String problem = f.parse(value, v);
        assertNull(problem, problem);
        return v;
    }

    static String header(TestRecord<String, byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
