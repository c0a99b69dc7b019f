package org.vecrnn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.vecrnn.RandomModels;
import org.vecrnn.VecrnnException;
import org.vecrnn.model.ElmanRnn;
import org.vecrnn.model.Output;
import org.vecrnn.model.Parameters;

class ModelFileTest {
    @TempDir
    Path tmp;

    @Test
    void saveThenLoadGivesTheSameModel() {
        Path f = tmp.resolve("m.safetensors");
        try (ElmanRnn m = RandomModels.model(new SplittableRandom(1), 5, 17, 3, Output.SOFTMAX, 1)) {
            ModelFile.save(m, f, Map.of("note", "test"));
            ModelFile.Loaded back = ModelFile.read(f);
            try (ElmanRnn b = back.model()) {
                assertEquals(m.parameters(), b.parameters());
                assertEquals(Output.SOFTMAX, b.output());
                assertEquals("vecrnn", back.metadata().get("format"));
                assertEquals("1", back.metadata().get("version"));
                assertEquals("test", back.metadata().get("note"));
            }
        }
    }

    /** A PyTorch state dict under any prefix (none, one level, two levels) loads, with the two biases summed. */
    @ParameterizedTest(name = "prefix ''{0}''")
    @ValueSource(strings = {"", "rnn.", "model.encoder."})
    void pytorchNamesUnderAnyPrefix(String prefix) {
        int n = 3, d = 2, k = 1;
        float[] ih = {1, 2, 3, 4, 5, 6}, hh = {0.5f, 0, 0, 0.5f}, bih = {1, 2}, bhh = {10, 20}, w = {7, 8}, b = {9};
        String head = prefix.isEmpty() ? "" : prefix + "head.";
        Path f = tmp.resolve("torch.safetensors");
        SafeTensorsWriter.write(f, List.of(Tensor.of(prefix + "weight_ih_l0", ih, d, n), Tensor.of(prefix + "weight_hh_l0", hh, d, d),
                Tensor.of(prefix + "bias_ih_l0", bih, d), Tensor.of(prefix + "bias_hh_l0", bhh, d),
                Tensor.of(head + "weight", w, k, d), Tensor.of(head + "bias", b, k)), Map.of("output", "identity"));
        ModelFile.Loaded l = ModelFile.read(f);
        try (ElmanRnn m = l.model()) {
            Parameters p = m.parameters();
            assertArrayEquals(ih, p.U());
            assertArrayEquals(hh, p.W());
            assertArrayEquals(new float[] {11, 22}, p.a());
            assertArrayEquals(w, p.V());
            assertArrayEquals(b, p.b());
            assertEquals(Output.IDENTITY, m.output());
            assertEquals(List.of(prefix + "bias_ih_l0", prefix + "bias_hh_l0"), l.fileNames().get("a"));
        }
    }

    @Test
    void outputDefaultsToSigmoidAsInTheSeed() {
        Path f = tmp.resolve("m.safetensors");
        SafeTensorsWriter.write(f, List.of(Tensor.of("U", new float[] {1}, 1, 1), Tensor.of("W", new float[] {1}, 1, 1),
                Tensor.of("a", new float[] {0}, 1), Tensor.of("V", new float[] {1}, 1, 1), Tensor.of("b", new float[] {0}, 1)), Map.of());
        try (ElmanRnn m = ModelFile.load(f)) {
            assertEquals(Output.SIGMOID, m.output());
        }
    }

    @Test
    void unknownOutputIsRefusedWithTheFileName() {
        Path f = tmp.resolve("m.safetensors");
        SafeTensorsWriter.write(f, List.of(Tensor.of("U", new float[] {1}, 1, 1), Tensor.of("W", new float[] {1}, 1, 1),
                Tensor.of("a", new float[] {0}, 1), Tensor.of("V", new float[] {1}, 1, 1), Tensor.of("b", new float[] {0}, 1)),
                Map.of("output", "relu"));
        VecrnnException e = assertThrows(VecrnnException.class, () -> ModelFile.load(f));
        assertTrue(e.getMessage().startsWith(f + ": metadata: unknown output activation 'relu'"), e.getMessage());
    }

    @Test
    void writingOverAFileReplacesItWhole() throws Exception {
        Path f = tmp.resolve("t.safetensors");
        SafeTensorsWriter.write(f, List.of(Tensor.of("x", new float[1000], 10, 100)), Map.of());
        SafeTensorsWriter.write(f, List.of(Tensor.of("y", new float[] {1, 2}, 2)), Map.of("k", "v"));
        try (SafeTensors st = SafeTensors.open(f)) {
            assertEquals(List.of("y"), List.copyOf(st.tensors().keySet()));
            assertArrayEquals(new float[] {1, 2}, st.get("y").floats());
            assertEquals(Map.of("k", "v"), st.metadata());
        }
        try (var s = Files.list(tmp)) {
            assertEquals(1, s.count(), "no temporary files remain");
        }
    }

    @Test
    void closedModelRefusesUseAndClosingTwiceIsHarmless() {
        ElmanRnn m = RandomModels.model(new SplittableRandom(2), 2, 3, 1, Output.SIGMOID, 1);
        m.close();
        m.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, m::parameters);
        assertEquals("this model has been closed", e.getMessage());
    }

    @Test
    void constructorChecksShapes() {
        Parameters p = Parameters.zeros(2, 3, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ElmanRnn.of(2, 3, 1, Output.SIGMOID, new Parameters(p.U(), new float[12], p.a(), p.V(), p.b())));
        assertEquals("W has 12 values, expected 9 for n=2 d=3 k=1", e.getMessage());
    }
}
