package org.vecrnn.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.vecrnn.DeepOracle;
import org.vecrnn.Oracle;
import org.vecrnn.infer.InferenceModel;
import org.vecrnn.io.SafeTensors;
import org.vecrnn.io.Tensor;

/** Every .onnx twin of the deep oracle imports to exactly the tensors and metadata of its safetensors case. */
class OnnxImportTwinsTest {
    static List<Path> twins() throws IOException {
        try (Stream<Path> s = Files.list(Oracle.dir().resolve("deep"))) {
            List<Path> all = s.filter(p -> p.toString().endsWith(".onnx")).sorted().toList();
            if (all.size() < 7) throw new IllegalStateException("expected the 7 .onnx twins in " + Oracle.dir().resolve("deep").toAbsolutePath());
            return all;
        }
    }

    static Path safetensorsOf(Path onnx) {
        String name = onnx.getFileName().toString();
        return onnx.resolveSibling(name.substring(0, name.length() - ".onnx".length()) + ".safetensors");
    }

    /** InferenceModel.load on the .onnx file runs to the case's o, h and h_n (PyTorch, float64) at 1e-4 relative. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("twins")
    void runsToThePyTorchOutputs(Path onnx) {
        try (SafeTensors st = SafeTensors.open(safetensorsOf(onnx)); InferenceModel im = InferenceModel.load(onnx)) {
            DeepOracle.Case c = DeepOracle.Case.read(st);
            assertEquals(c.L(), im.layers());
            InferenceModel.Sequences f = im.forward(c.x(), c.B(), c.T(), c.h0());
            for (String name : List.of("o", "h", "h_n")) {
                float[] got = name.equals("o") ? f.o() : name.equals("h") ? f.h() : f.hN();
                double err = Oracle.err(got, st.get(name).floats());
                assertTrue(err <= 1e-4, name + ": relative error " + err);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("twins")
    void sameTensorsAsThePyTorchStateDict(Path onnx) {
        OnnxImport.Imported imported = OnnxImport.read(onnx);
        try (SafeTensors st = SafeTensors.open(safetensorsOf(onnx))) {
            var meta = st.metadata();
            assertEquals(meta.get("layers"), imported.metadata().get("layers"));
            assertEquals(meta.get("nonlinearity"), imported.metadata().get("nonlinearity"));
            assertEquals(meta.get("output"), imported.metadata().get("output"));
            int layers = Integer.parseInt(meta.get("layers"));
            assertEquals(4 * layers + 2, imported.tensors().size());
            for (Tensor t : imported.tensors().values()) {
                Tensor want = st.get(t.name());
                assertArrayEquals(want.shape(), t.shape(), t.name());
                assertArrayEquals(want.floats(), t.floats(), t.name());
            }
        }
    }
}
