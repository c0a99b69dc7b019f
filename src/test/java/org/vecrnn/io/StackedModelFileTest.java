package org.vecrnn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.vecrnn.DeepOracle;
import org.vecrnn.RandomModels;
import org.vecrnn.VecrnnException;
import org.vecrnn.model.ElmanRnn;
import org.vecrnn.model.Nonlinearity;
import org.vecrnn.model.Output;
import org.vecrnn.model.Parameters;

/** Stacked and ReLU model files: PyTorch multi-layer state dicts, vecrnn's own names, metadata that must agree. */
class StackedModelFileTest {
    @TempDir
    Path tmp;

    static List<String> deepCases() {
        return DeepOracle.names();
    }

    /** The oracle's PyTorch files load with every layer, the nonlinearity their metadata names, a_l = bias_ih + bias_hh. */
    @ParameterizedTest
    @MethodSource("deepCases")
    void pyTorchStateDictsLoadAsTheyAre(String name) {
        Path f = DeepOracle.dir().resolve(name);
        try (SafeTensors st = SafeTensors.open(f); ElmanRnn m = ModelFile.load(f)) {
            int L = Integer.parseInt(st.metadata().get("layers"));
            assertEquals(L, m.layers());
            assertEquals(Nonlinearity.parse(st.metadata().get("nonlinearity")), m.nonlinearity());
            Parameters p = m.parameters();
            for (int l = 0; l < L; l++) {
                assertArrayEquals(st.get("rnn.weight_ih_l" + l).floats(), p.U(l));
                assertArrayEquals(st.get("rnn.weight_hh_l" + l).floats(), p.W(l));
                float[] bih = st.get("rnn.bias_ih_l" + l).floats(), bhh = st.get("rnn.bias_hh_l" + l).floats();
                for (int i = 0; i < bih.length; i++) assertEquals(bih[i] + bhh[i], p.a(l)[i]);
            }
            assertArrayEquals(st.get("head.weight").floats(), p.V());
            assertArrayEquals(st.get("head.bias").floats(), p.b());
        }
    }

    /** The public entry point: named tensors and metadata, no file, give the same model as the file. */
    @ParameterizedTest
    @MethodSource("deepCases")
    void namedTensorsGiveTheSameModelAsTheFile(String name) {
        Path f = DeepOracle.dir().resolve(name);
        try (SafeTensors st = SafeTensors.open(f)) {
            Map<String, Tensor> tensors = new HashMap<>();
            for (Tensor t : st.tensors().values())
                if (t.name().startsWith("rnn.") || t.name().startsWith("head.")) tensors.put(t.name(), Tensor.of(t.name(), t.floats(), t.shape()));
            Map<String, String> meta = Map.of("output", st.metadata().get("output"), "layers", st.metadata().get("layers"),
                    "nonlinearity", st.metadata().get("nonlinearity"));
            ModelFile.Loaded fromMap = ModelFile.fromTensors("graph.onnx", tensors, meta);
            try (ElmanRnn a = fromMap.model(); ElmanRnn b = ModelFile.load(f)) {
                assertEquals(b.parameters(), a.parameters());
                assertEquals(b.layers(), a.layers());
                assertEquals(b.nonlinearity(), a.nonlinearity());
                assertEquals(b.output(), a.output());
            }
            assertEquals(List.of("rnn.bias_ih_l0", "rnn.bias_hh_l0"), fromMap.fileNames().get("a"));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 8})
    void savedModelsRoundTripForAnyDepth(int L) {
        Path f = tmp.resolve("m" + L + ".safetensors");
        try (ElmanRnn m = RandomModels.stacked(new SplittableRandom(L), 5, 17, 3, L, Nonlinearity.RELU, Output.SOFTMAX, 1)) {
            ModelFile.save(m, f, null);
            // one layer: vecrnn's own names; stacked: PyTorch's, as DESIGN.md fixes them (bias_hh zero, a_l in bias_ih)
            try (SafeTensors st = SafeTensors.open(f)) {
                List<String> want = new ArrayList<>();
                if (L == 1) want.addAll(List.of("U", "W", "a", "V", "b"));
                else {
                    for (int l = 0; l < L; l++)
                        for (String kind : new String[] {"weight_ih", "weight_hh", "bias_ih", "bias_hh"}) want.add("rnn." + kind + "_l" + l);
                    want.addAll(List.of("head.weight", "head.bias"));
                }
                assertEquals(new java.util.TreeSet<>(want), new java.util.TreeSet<>(st.tensors().keySet()));
                for (int l = 1; l < L; l++) {
                    assertArrayEquals(new long[] {17, 17}, st.get("rnn.weight_ih_l" + l).shape());
                    assertArrayEquals(m.parameters().a(l), st.get("rnn.bias_ih_l" + l).floats());
                    assertArrayEquals(new float[17], st.get("rnn.bias_hh_l" + l).floats());
                }
                if (L > 1) assertArrayEquals(new long[] {17, 5}, st.get("rnn.weight_ih_l0").shape());
            }
            ModelFile.Loaded back = ModelFile.read(f);
            try (ElmanRnn b = back.model()) {
                assertEquals(m.parameters(), b.parameters());
                assertEquals(L, b.layers());
                assertEquals(Nonlinearity.RELU, b.nonlinearity());
                assertEquals(Integer.toString(L), back.metadata().get("layers"));
                assertEquals("relu", back.metadata().get("nonlinearity"));
                assertEquals(List.of(Parameters.names(L)), new ArrayList<>(back.fileNames().keySet()));
            }
        }
    }

    /** Stacked files that vecrnn wrote with its own names (U2, W2, a2, ...) before it wrote PyTorch's keep loading. */
    @Test
    void stackedFilesWithOwnNamesKeepLoading() {
        try (ElmanRnn m = RandomModels.stacked(new SplittableRandom(3), 4, 6, 2, 3, Nonlinearity.TANH, Output.SIGMOID, 1)) {
            Parameters p = m.parameters();
            String[] names = p.names();
            long[][] shapes = p.shapes(4, 6, 2);
            float[][] all = p.all();
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (int i = 0; i < all.length; i++) tensors.put(names[i], Tensor.of(names[i], all[i], shapes[i]));
            assertTrue(tensors.containsKey("U2") && tensors.containsKey("W3"), tensors.keySet().toString());
            try (ElmanRnn b = ModelFile.fromTensors("own.safetensors", tensors, Map.of("layers", "3")).model()) {
                assertEquals(p, b.parameters());
            }
        }
    }

    @Test
    void aFileWithoutLayersOrNonlinearityIsOneTanhLayer() {
        Path f = tmp.resolve("old.safetensors");
        SafeTensorsWriter.write(f, seed(2, 3, 1), Map.of("output", "identity"));
        try (ElmanRnn m = ModelFile.load(f)) {
            assertEquals(1, m.layers());
            assertEquals(Nonlinearity.TANH, m.nonlinearity());
        }
    }

    @Test
    void anUnknownNonlinearityIsRefusedByKeyAndValue() {
        Path f = tmp.resolve("gelu.safetensors");
        SafeTensorsWriter.write(f, seed(2, 3, 1), Map.of("nonlinearity", "gelu"));
        VecrnnException e = assertThrows(VecrnnException.class, () -> ModelFile.load(f));
        assertEquals(f + ": metadata \"nonlinearity\" = \"gelu\" is not supported (tanh or relu)", e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"2", "0", "two", "9"})
    void layersThatDisagreeWithTheTensorsAreRefused(String layers) {
        Path f = tmp.resolve("l.safetensors");
        SafeTensorsWriter.write(f, seed(2, 3, 1), Map.of("layers", layers));
        VecrnnException e = assertThrows(VecrnnException.class, () -> ModelFile.load(f));
        assertEquals(f + ": metadata \"layers\" = \"" + layers + "\" does not match the tensors, which hold 1 layer", e.getMessage());
    }

    @Test
    void aMissingLayerTensorIsNamed() {
        Map<String, Tensor> t = torch(3, 2, 2, 1);
        t.remove("rnn.bias_hh_l1");
        VecrnnException e = assertThrows(VecrnnException.class, () -> ModelFile.fromTensors("m", t, Map.of()));
        assertEquals("m: the RNN has 2 layers but no tensor 'rnn.bias_hh_l1'", e.getMessage());
    }

    @Test
    void aWrongUpperLayerShapeIsNamed() {
        Map<String, Tensor> t = torch(3, 2, 2, 1);
        t.put("rnn.weight_ih_l1", Tensor.of("rnn.weight_ih_l1", new float[6], 2, 3));
        VecrnnException e = assertThrows(VecrnnException.class, () -> ModelFile.fromTensors("m", t, Map.of()));
        assertEquals("m: tensor 'rnn.weight_ih_l1' has shape [2, 3], expected [2, 2]", e.getMessage());
    }

    @Test
    void bidirectionalAndTooDeepAreRefused() {
        Map<String, Tensor> t = torch(3, 2, 1, 1);
        t.put("rnn.weight_ih_l0_reverse", Tensor.of("rnn.weight_ih_l0_reverse", new float[6], 2, 3));
        VecrnnException e = assertThrows(VecrnnException.class, () -> ModelFile.fromTensors("m", t, Map.of()));
        assertTrue(e.getMessage().contains("bidirectional"), e.getMessage());
        VecrnnException deep = assertThrows(VecrnnException.class, () -> ModelFile.fromTensors("m", torch(3, 2, 9, 1), Map.of()));
        assertEquals("m: the RNN has more than 8 layers; vecrnn runs 1 to 8", deep.getMessage());
    }

    @Test
    void aStrayOwnLayerTensorIsRefused() {
        List<Tensor> t = new ArrayList<>(seed(2, 3, 1));
        t.add(Tensor.of("W3", new float[9], 3, 3));
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (Tensor x : t) m.put(x.name(), x);
        VecrnnException e = assertThrows(VecrnnException.class, () -> ModelFile.fromTensors("m", m, Map.of()));
        assertTrue(e.getMessage().startsWith("m: tensor 'W3' does not belong to a layer of this model"), e.getMessage());
    }

    @Test
    void nonFiniteUpperLayerWeightsAreRefused() {
        Map<String, Tensor> t = torch(3, 2, 2, 1);
        float[] w = new float[4];
        w[3] = Float.NaN;
        t.put("rnn.weight_hh_l1", Tensor.of("rnn.weight_hh_l1", w, 2, 2));
        VecrnnException e = assertThrows(VecrnnException.class, () -> ModelFile.fromTensors("m", t, Map.of()));
        assertEquals("m: tensor 'rnn.weight_hh_l1' holds NaN at index 3: weights must be finite", e.getMessage());
    }

    /** The seed's one-layer tensors for n, d, k. */
    private static List<Tensor> seed(int n, int d, int k) {
        return List.of(Tensor.of("U", new float[d * n], d, n), Tensor.of("W", new float[d * d], d, d), Tensor.of("a", new float[d], d),
                Tensor.of("V", new float[k * d], k, d), Tensor.of("b", new float[k], k));
    }

    /** A PyTorch state dict of nn.RNN(n, d, num_layers=L) + nn.Linear(d, k), all zeros. */
    private static Map<String, Tensor> torch(int n, int d, int L, int k) {
        Map<String, Tensor> t = new LinkedHashMap<>();
        for (int l = 0; l < L; l++) {
            int in = l == 0 ? n : d;
            t.put("rnn.weight_ih_l" + l, Tensor.of("rnn.weight_ih_l" + l, new float[d * in], d, in));
            t.put("rnn.weight_hh_l" + l, Tensor.of("rnn.weight_hh_l" + l, new float[d * d], d, d));
            t.put("rnn.bias_ih_l" + l, Tensor.of("rnn.bias_ih_l" + l, new float[d], d));
            t.put("rnn.bias_hh_l" + l, Tensor.of("rnn.bias_hh_l" + l, new float[d], d));
        }
        t.put("head.weight", Tensor.of("head.weight", new float[k * d], k, d));
        t.put("head.bias", Tensor.of("head.bias", new float[k], k));
        return t;
    }
}
