package org.vecrnn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.vecrnn.VecrnnException;
import org.vecrnn.model.ElmanRnn;
import org.vecrnn.model.Output;
import org.vecrnn.quant.Int8Models;
import org.vecrnn.quant.Int8Scheme;
import org.vecrnn.quant.Int8Weights;
import org.vecrnn.quant.QuantizedRnn;
import org.vecrnn.quant.Quantizer;

/** The quantized file format: round trip, and every defect refused with one line naming the file. */
class QuantizedModelFileTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Int8Scheme.class)
    void roundTrip(Int8Scheme scheme) {
        Path f = dir.resolve("q.safetensors");
        try (QuantizedRnn q = Int8Models.int8(19, 65, 5, Output.SOFTMAX, scheme, 11)) {
            QuantizedModelFile.save(q, f, Map.of("note", "test"));
            assertTrue(QuantizedModelFile.isQuantized(f));
            try (QuantizedRnn back = QuantizedModelFile.load(f); SafeTensors st = SafeTensors.open(f)) {
                assertEquals(scheme, back.scheme());
                assertEquals(Output.SOFTMAX, back.output());
                for (String m : new String[] {"U", "W", "V"}) {
                    assertArrayEquals(q.weights(m).q(), back.weights(m).q(), m);
                    assertArrayEquals(q.weights(m).scales(), back.weights(m).scales(), m);
                    assertEquals(DType.I8, st.get(m).dtype());
                }
                assertArrayEquals(q.aValues(), back.aValues());
                assertArrayEquals(q.bValues(), back.bValues());
                assertEquals(scheme.id(), st.metadata().get("quant"));
                assertEquals(q.bytes(), back.bytes());
            }
        }
    }

    @Test
    void fp32LoaderRefusesAQuantizedFileAndQuantizedLoaderAnFp32One() {
        Path q = write(t -> {});
        var e = assertThrows(VecrnnException.class, () -> ModelFile.load(q));
        assertEquals(q + ": is an int8 model (quant=int8-block32); this needs fp32 weights", e.getMessage());
        Path f = dir.resolve("fp32.safetensors");
        try (ElmanRnn m = Int8Models.fp32(3, 5, 2, Output.SIGMOID, 1, 1)) {
            ModelFile.save(m, f, null);
        }
        assertFalse(QuantizedModelFile.isQuantized(f));
    }

    @Test
    void missingScale() {
        refused(t -> remove(t, "W.scale"), "has no tensor 'W.scale': the int8 matrix 'W' needs its scales");
    }

    @Test
    void scaleOfWrongShape() {
        refused(t -> replace(t, Tensor.of("U.scale", new float[5], 5)), "tensor 'U.scale' has shape [5], expected [5, 1]");
        refused(t -> replace(t, Tensor.of("V.scale", new float[4], 2, 2)), "tensor 'V.scale' has shape [2, 2], expected [2, 1]");
    }

    @Test
    void badScaleValues() {
        for (float bad : new float[] {0f, -0.5f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
            float[] s = {0.1f, 0.1f, bad, 0.1f, 0.1f};
            refused(t -> replace(t, Tensor.of("W.scale", s, 5, 1)), "W.scale holds " + bad + " at index 2: scales must be positive and finite");
        }
    }

    @Test
    void int8WhereFloatIsRequired() {
        refused(t -> replace(t, Tensor.of("a", new byte[5], 5)), "tensor 'a' is I8, expected F32");
        refused(t -> replace(t, Tensor.of("W.scale", new byte[5], 5, 1)), "tensor 'W.scale' is I8, expected F32");
    }

    @Test
    void floatWhereInt8IsRequiredAndOtherDefects() {
        refused(t -> replace(t, Tensor.of("W", new float[25], 5, 5)), "tensor 'W' is F32, expected I8 in a quantized model");
        refused(t -> replace(t, Tensor.of("U", new byte[] {0, 0, -128, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 5, 3)),
                "U holds -128 at index 2: symmetric int8 uses -127..127");
        refused(t -> replace(t, Tensor.of("V", new byte[12], 2, 6)), "tensor 'V' has shape [2, 6], expected [k, 5]");
    }

    @Test
    void badMetadata() {
        Path f = write(t -> {}, Map.of("quant", "int4"));
        var e = assertThrows(VecrnnException.class, () -> QuantizedModelFile.load(f));
        assertEquals(f + ": metadata: unknown quantization scheme 'int4' (int8-row or int8-block32)", e.getMessage());
        Path g = write(t -> {}, Map.of());
        e = assertThrows(VecrnnException.class, () -> QuantizedModelFile.load(g));
        assertEquals(g + ": has an I8 tensor 'W' but its metadata names no quantization scheme ('quant')", e.getMessage());
        e = assertThrows(VecrnnException.class, () -> ModelFile.load(g));
        assertEquals(g + ": tensor 'W' is I8, expected F32 (and the metadata names no quantization scheme)", e.getMessage());
    }

    private void refused(Consumer<List<Tensor>> edit, String problem) {
        Path f = write(edit);
        var e = assertThrows(VecrnnException.class, () -> QuantizedModelFile.load(f));
        assertEquals(f + ": " + problem, e.getMessage());
    }

    /** A valid int8-block32 file of n=3, d=5, k=2 (one block per row), edited before writing. */
    Path write(Consumer<List<Tensor>> edit) {
        return write(edit, Map.of("format", "vecrnn", "version", "1", "output", "sigmoid", "quant", "int8-block32"));
    }

    Path write(Consumer<List<Tensor>> edit, Map<String, String> meta) {
        List<Tensor> ts = new ArrayList<>();
        for (String[] m : new String[][] {{"U", "5", "3"}, {"W", "5", "5"}, {"V", "2", "5"}}) {
            int rows = Integer.parseInt(m[1]), cols = Integer.parseInt(m[2]);
            Int8Weights w = Quantizer.quantize(new float[rows * cols], rows, cols, Int8Scheme.BLOCK32);
            ts.add(Tensor.of(m[0], w.q(), rows, cols));
            ts.add(Tensor.of(m[0] + ".scale", w.scales(), rows, 1));
        }
        ts.add(Tensor.of("a", new float[5], 5));
        ts.add(Tensor.of("b", new float[2], 2));
        edit.accept(ts);
        Path f = dir.resolve("bad" + System.nanoTime() + ".safetensors");
        SafeTensorsWriter.write(f, ts, new LinkedHashMap<>(meta));
        return f;
    }

    private static void remove(List<Tensor> ts, String name) {
        assertTrue(ts.removeIf(t -> t.name().equals(name)), name);
    }

    private static void replace(List<Tensor> ts, Tensor t) {
        remove(ts, t.name());
        ts.add(t);
    }
}
