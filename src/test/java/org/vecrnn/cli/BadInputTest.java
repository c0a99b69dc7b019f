package org.vecrnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.vecrnn.io.RawSafeTensors;
import org.vecrnn.io.SafeTensorsWriter;
import org.vecrnn.io.Tensor;

/**
 * Broken model and input files through `vecrnn forward`: each gives exit code 1, one line on stderr that
 * names the file and the problem, no stack trace, and no output file.
 */
class BadInputTest {
    @TempDir
    Path tmp;

    Path goodInput, output;

    /** A valid model of n=2, d=2, k=1 in the seed's names, written as raw text so each case can bend one field. */
    static final String U = "\"U\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}";
    static final String W = "\"W\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[16,32]}";
    static final String A = "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[32,40]}";
    static final String V = "\"V\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[40,48]}";
    static final String B = "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[48,52]}";
    static final byte[] DATA = RawSafeTensors.floats(0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f, 0.8f, 0.1f, 0.2f, 0.3f, 0.4f, 0.5f);

    static String header(String... entries) {
        return "{" + String.join(",", entries) + "}";
    }

    @BeforeEach
    void input() {
        goodInput = tmp.resolve("in.safetensors");
        SafeTensorsWriter.write(goodInput, List.of(Tensor.of("x", new float[] {1, 2, 3, 4, 5, 6}, 1, 3, 2)), Map.of());
        output = tmp.resolve("out.safetensors");
    }

    static Stream<Arguments> brokenModels() {
        return Stream.of(
                Arguments.of("valid header, NaN weight", header(U, W, A, V, B), nanAt(3), "tensor 'U' holds NaN"),
                Arguments.of("valid header, infinite weight", header(U, W, A, V, B), infAt(9), "tensor 'a' holds Infinity"),
                Arguments.of("not JSON", "{\"U\": {\"dtype\" \"F32\"", DATA, "not valid JSON"),
                Arguments.of("plain text, not JSON", "hello, world", DATA, "not valid JSON"),
                Arguments.of("JSON but not an object", "[1, 2, 3]    ", DATA, "not a JSON object"),
                Arguments.of("unknown dtype", header(U.replace("F32", "BF16"), W, A, V, B), DATA, "unsupported dtype 'BF16'"),
                Arguments.of("shape disagrees with bytes", header(U.replace("[2,2]", "[2,3]"), W, A, V, B), DATA, "needs 24 bytes"),
                Arguments.of("shape overflows a long", header(U.replace("[2,2]", "[4294967296,4294967296,4294967296]"), W, A, V, B), DATA, "overflows"),
                Arguments.of("offsets past the data block", header(U, W, A, V, B.replace("[48,52]", "[52,56]")), DATA, "run past the data block"),
                Arguments.of("overlapping tensors", header(U, W.replace("[16,32]", "[12,28]"), A, V, B), DATA, "overlaps"),
                Arguments.of("a hole in the data", header(U, W, A, V.replace("[40,48]", "[44,52]"), B.replace("[48,52]", "[52,56]")),
                        RawSafeTensors.floats(new float[14]), "hole"),
                Arguments.of("bytes that belong to no tensor", header(U, W, A, V, B), RawSafeTensors.floats(new float[14]), "belong to no tensor"),
                Arguments.of("missing parameter", header(U, W, A, V), java.util.Arrays.copyOf(DATA, 48), "no tensor 'b'"),
                Arguments.of("misshapen W [d, d+1]", header(U, W.replace("[2,2]", "[2,3]").replace("[16,32]", "[16,40]"),
                        A.replace("[32,40]", "[40,48]"), V.replace("[40,48]", "[48,56]"), B.replace("[48,52]", "[56,60]")),
                        RawSafeTensors.floats(new float[15]), "expected a square [d, d]"),
                Arguments.of("duplicate names", header(U, W, A, V, B, B.replace("[48,52]", "[52,56]")), RawSafeTensors.floats(new float[14]),
                        "Duplicate"),
                Arguments.of("negative offset", header(U.replace("[0,16]", "[-16,16]"), W, A, V, B), DATA, "negative"),
                Arguments.of("I8 where F32 is required", header(U, W, A, V, B.replace("\"F32\",\"shape\":[1],\"data_offsets\":[48,52]",
                        "\"I8\",\"shape\":[1],\"data_offsets\":[48,49]")), java.util.Arrays.copyOf(DATA, 49), "is I8, expected F32"));
    }

    static byte[] nanAt(int i) {
        byte[] d = DATA.clone();
        System.arraycopy(RawSafeTensors.floats(Float.NaN), 0, d, i * 4, 4);
        return d;
    }

    static byte[] infAt(int i) {
        byte[] d = DATA.clone();
        System.arraycopy(RawSafeTensors.floats(Float.POSITIVE_INFINITY), 0, d, i * 4, 4);
        return d;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenModels")
    void brokenModelIsRefusedWithOneLine(String what, String header, byte[] data, String expected) {
        Path model = RawSafeTensors.write(tmp.resolve("model.safetensors"), header, data);
        expectRefusal(model, expected, "forward", "--model", model.toString(), "--input", goodInput.toString(), "--output", output.toString());
    }

    @Test
    void theValidModelOfTheseCasesIsAccepted() {
        Path model = RawSafeTensors.write(tmp.resolve("model.safetensors"), header(U, W, A, V, B), DATA);
        Cli c = Cli.run("forward", "--model", model.toString(), "--input", goodInput.toString(), "--output", output.toString());
        assertEquals(0, c.code(), c.toString());
        assertTrue(Files.exists(output));
    }

    @Test
    void fileShorterThanEightBytes() throws IOException {
        Path model = Files.write(tmp.resolve("short.safetensors"), new byte[] {1, 2, 3});
        expectRefusal(model, "shorter than the 8-byte header length", "inspect", model.toString());
    }

    @Test
    void headerLengthLargerThanTheFile() {
        Path model = RawSafeTensors.write(tmp.resolve("m.safetensors"), 5000, header(U, W, A, V, B), DATA);
        expectRefusal(model, "larger than the file", "inspect", model.toString());
    }

    @Test
    void absurdHeaderLengthAllocatesNothing() {
        Path model = RawSafeTensors.write(tmp.resolve("m.safetensors"), Long.MAX_VALUE - 3, header(U, W, A, V, B), DATA);
        expectRefusal(model, "out of range", "inspect", model.toString());
        Path negative = RawSafeTensors.write(tmp.resolve("n.safetensors"), -1, header(U, W, A, V, B), DATA);
        expectRefusal(negative, "out of range", "inspect", negative.toString());
    }

    @Test
    void inputWithTheWrongN() {
        Path model = RawSafeTensors.write(tmp.resolve("model.safetensors"), header(U, W, A, V, B), DATA);
        Path in = tmp.resolve("wrong-n.safetensors");
        SafeTensorsWriter.write(in, List.of(Tensor.of("x", new float[] {1, 2, 3, 4, 5, 6}, 1, 2, 3)), Map.of());
        expectRefusal(in, "n=3 but the model takes n=2", "forward", "--model", model.toString(), "--input", in.toString(), "--output", output.toString());
    }

    @Test
    void inputWithoutX() {
        Path model = RawSafeTensors.write(tmp.resolve("model.safetensors"), header(U, W, A, V, B), DATA);
        Path in = tmp.resolve("no-x.safetensors");
        SafeTensorsWriter.write(in, List.of(Tensor.of("h0", new float[] {1, 2}, 1, 2)), Map.of());
        expectRefusal(in, "no tensor 'x'", "forward", "--model", model.toString(), "--input", in.toString(), "--output", output.toString());
    }

    @Test
    void truncatedWordVectors() throws IOException {
        Path f = Files.writeString(tmp.resolve("vectors.txt"), "3 2\na 1 2\nb 3\n");
        expectRefusal(f, "line 3 (byte 13): word 'b' has 1 numbers, expected 2", "inspect", f.toString());
        Path ok = Files.writeString(tmp.resolve("ok.txt"), "2 2\na 1 2\nb 3 4\n");
        Cli c = Cli.run("inspect", ok.toString());
        assertEquals(0, c.code(), c.toString());
        assertTrue(c.out().contains("word2vec, 2 words of dimension 2"), c.toString());
    }

    @Test
    void missingFile() {
        Path model = tmp.resolve("absent.safetensors");
        expectRefusal(model, "no such file", "forward", "--model", model.toString(), "--input", goodInput.toString(), "--output", output.toString());
    }

    @Test
    void usageErrorsExitTwo() {
        Cli missing = Cli.run("forward", "--model", "m");
        assertEquals(2, missing.code(), missing.toString());
        assertTrue(missing.err().contains("Usage:"), missing.toString());
        Cli badTopology = Cli.run("grad", "--model", "m", "--data", "d", "--topology", "sideways", "--loss", "mse", "--output", "o");
        assertEquals(2, badTopology.code(), badTopology.toString());
        assertTrue(badTopology.err().contains("unknown topology 'sideways'"), badTopology.toString());
        assertEquals(2, Cli.run("frobnicate").code());
        assertEquals(2, Cli.run().code());
    }

    @Test
    void helpOnEveryCommand() {
        for (String cmd : List.of("forward", "grad", "inspect")) {
            Cli c = Cli.run(cmd, "--help");
            assertEquals(0, c.code(), cmd);
            assertTrue(c.out().contains("Usage: vecrnn " + cmd), c.toString());
        }
    }

    private void expectRefusal(Path file, String problem, String... args) {
        Cli c = Cli.run(args);
        assertEquals(1, c.code(), c.toString());
        String err = c.errLine();
        assertFalse(err.contains("\n"), "one line only: " + c);
        assertFalse(err.contains("Exception") || err.contains("\tat "), "no stack trace: " + c);
        assertTrue(err.contains(file.toString()), "names the file: " + c);
        assertTrue(err.contains(problem), "says '" + problem + "': " + c);
        assertFalse(Files.exists(output), "no output file left behind");
        try (Stream<Path> s = Files.list(tmp)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary file left behind");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Targets of 3e38 give an MSE past float's range: refused, naming the data file, instead of writing loss = inf with exit 0. */
    @Test
    void gradRefusesALossPastFloatRange() throws Exception {
        Path model = tmp.resolve("m.safetensors"), data = tmp.resolve("huge-y.safetensors");
        RawSafeTensors.write(model, header(U, W, A, V, B), DATA);
        float[] y = new float[3];
        java.util.Arrays.fill(y, 3e38f);
        SafeTensorsWriter.write(data, List.of(Tensor.of("x", new float[] {1, 2, 3, 4, 5, 6}, 1, 3, 2), Tensor.of("y", y, 1, 3, 1)), Map.of());
        Cli r = Cli.run("grad", "--model", model.toString(), "--data", data.toString(), "--topology", "many-to-many", "--loss", "mse", "--output", output.toString());
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.errLine().startsWith("vecrnn grad: " + data + ": the loss is Infinity in float32"), r.toString());
        assertFalse(Files.exists(output), "an output was written");
    }
}
