package org.vecrnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.vecrnn.Oracle;
import org.vecrnn.io.QuantizedModelFile;
import org.vecrnn.io.SafeTensors;
import org.vecrnn.io.SafeTensorsWriter;
import org.vecrnn.io.Tensor;
import org.vecrnn.quant.QuantizedRnn;

/** {@code vecrnn quantize} and {@code vecrnn forward} on an int8 model, through Main.run as a user calls them. */
class QuantizeCommandTest {
    @TempDir
    Path dir;

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    static Path bigCase() {
        return Oracle.cases().stream().filter(p -> p.getFileName().toString().contains("n128_d256")).findFirst().orElseThrow();
    }

    @Test
    void quantizesPrintsBytesAndErrorsAndForwardRunsTheInt8Model() throws Exception {
        Path oracle = bigCase(), q = dir.resolve("q.safetensors"), o = dir.resolve("o.safetensors");
        Run r = run("quantize", "--model", oracle.toString(), "--output", q.toString(), "--input", oracle.toString());
        assertEquals(0, r.code(), r.err());
        String[] lines = r.out().split("\n");
        assertEquals(4, lines.length, r.out());
        assertTrue(lines[0].startsWith(oracle + ": fp32, n=128 d=256 k=16: " + Files.size(oracle) + " bytes (parameters "), lines[0]);
        assertTrue(lines[1].startsWith(q + ": int8-row: " + Files.size(q) + " bytes (parameters "), lines[1]);
        assertTrue(lines[2].contains("o on 4 sequence(s) x 50 step(s): max abs error "), lines[2]);
        assertTrue(lines[3].contains("h drift over 1000 steps: max abs "), lines[3]);
        try (QuantizedRnn m = QuantizedModelFile.load(q)) {
            assertEquals(256, m.d());
        }

        r = run("forward", "--model", q.toString(), "--input", oracle.toString(), "--output", o.toString());
        assertEquals(0, r.code(), r.err());
        try (SafeTensors got = SafeTensors.open(o); SafeTensors want = SafeTensors.open(oracle)) {
            float[] a = got.floats("o", 4, 50, 16), b = want.get("o").floats();
            double max = 0;
            for (int i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
            assertTrue(max <= 2e-2, "forward with the int8 model: max abs error of o " + max);
            got.floats("h", 4, 50, 256);
        }
    }

    @Test
    void blockSchemeAndUsageErrors() {
        Path q = dir.resolve("b.safetensors");
        assertEquals(0, run("quantize", "--model", bigCase().toString(), "--output", q.toString(), "--scheme", "int8-block32").code());
        assertTrue(QuantizedModelFile.isQuantized(q));
        Run r = run("quantize", "--model", bigCase().toString(), "--output", q.toString(), "--scheme", "int4");
        assertEquals(2, r.code());
        Run twice = run("quantize", "--model", q.toString(), "--output", dir.resolve("qq.safetensors").toString());
        assertEquals(1, twice.code());
        assertEquals("vecrnn quantize: " + q + ": is an int8 model (quant=int8-block32); this needs fp32 weights\n", twice.err());
    }

    static Stream<Arguments> badFiles() {
        return Stream.of(
                Arguments.of("missing scale", "drop", "W.scale", "has no tensor 'W.scale'"),
                Arguments.of("scale of wrong shape", "U.scale", new float[] {1, 1}, "tensor 'U.scale' has shape [2], expected [3]"),
                Arguments.of("zero scale", "W.scale", new float[] {1, 0, 1}, "W.scale holds 0.0 at index 1"),
                Arguments.of("negative scale", "W.scale", new float[] {1, -1, 1}, "W.scale holds -1.0 at index 1"),
                Arguments.of("NaN scale", "V.scale", new float[] {Float.NaN, 1}, "V.scale holds NaN at index 0"),
                Arguments.of("infinite scale", "U.scale", new float[] {1, 1, Float.POSITIVE_INFINITY}, "U.scale holds Infinity at index 2"),
                Arguments.of("I8 bias", "a", new byte[] {1, 2, 3}, "tensor 'a' is I8, expected F32"));
    }

    /** A valid int8-row file (n=2, d=3, k=2) with one tensor dropped or replaced: exit 1, one line, no output file. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("badFiles")
    void badQuantizedFilesAreRefusedWithOneLine(String what, String name, Object replacement, String problem) throws Exception {
        List<Tensor> ts = new ArrayList<>(List.of(
                Tensor.of("U", new byte[] {1, 2, 3, 4, 5, 6}, 3, 2), Tensor.of("U.scale", new float[] {0.1f, 0.1f, 0.1f}, 3),
                Tensor.of("W", new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 3, 3), Tensor.of("W.scale", new float[] {0.1f, 0.1f, 0.1f}, 3),
                Tensor.of("V", new byte[] {1, 2, 3, 4, 5, 6}, 2, 3), Tensor.of("V.scale", new float[] {0.1f, 0.1f}, 2),
                Tensor.of("a", new float[3], 3), Tensor.of("b", new float[2], 2)));
        String target = name.equals("drop") ? (String) replacement : name;
        ts.removeIf(t -> t.name().equals(target));
        if (replacement instanceof float[] f) ts.add(Tensor.of(name, f, f.length));
        if (replacement instanceof byte[] b) ts.add(Tensor.of(name, b, b.length));
        Path q = dir.resolve("bad.safetensors"), in = dir.resolve("in.safetensors"), out = dir.resolve("out.safetensors");
        SafeTensorsWriter.write(q, ts, Map.of("format", "vecrnn", "version", "1", "output", "sigmoid", "quant", "int8-row"));
        SafeTensorsWriter.write(in, List.of(Tensor.of("x", new float[4], 1, 2, 2)), Map.of());
        Run r = run("forward", "--model", q.toString(), "--input", in.toString(), "--output", out.toString());
        assertEquals(1, r.code(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("vecrnn forward: " + q + ": ") && r.err().contains(problem), r.err());
        assertTrue(!Files.exists(out), "no output for a refused model");
    }
}
