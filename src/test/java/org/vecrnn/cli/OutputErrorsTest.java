package org.vecrnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.vecrnn.Oracle;
import org.vecrnn.RandomModels;
import org.vecrnn.io.ModelFile;
import org.vecrnn.io.QuantizedModelFile;
import org.vecrnn.io.SafeTensors;
import org.vecrnn.io.SafeTensorsWriter;
import org.vecrnn.model.ElmanRnn;
import org.vecrnn.model.Output;
import org.vecrnn.quant.QuantizedRnn;

/**
 * No output error is ignored, on every output of every command: a full device (/dev/full) is exit 1 with one
 * line naming the path (or stdout) and the reason, no stack trace; a reader that goes away (a closed pipe)
 * ends the program at once and quietly, status 141, as a filter killed by SIGPIPE. An output file written
 * to stdout ({@code --output -}) is the file's bytes alone: the report goes to stderr.
 */
class OutputErrorsTest {
    static final Path CASE = Oracle.dir().resolve("m2m_sigmoid_mse_n19_d17_k3_T7_B3_s1002.safetensors");
    static final Path FULL = Path.of("/dev/full");
    static final String NO_SPACE = "cannot write: No space left on device";

    @TempDir
    static Path dir;
    static Path model, input, csv, chars, big;

    @BeforeAll
    static void files() throws Exception {
        model = dir.resolve("model.safetensors");
        input = dir.resolve("in.safetensors");
        Files.copy(CASE, model);
        try (SafeTensors st = SafeTensors.open(CASE)) {
            SafeTensorsWriter.write(input, List.of(st.get("x"), st.get("y")), Map.of());
        }
        csv = dir.resolve("data.csv");
        Files.writeString(csv, "label,x\n1,0.5\n0,0.25\n1,0.75\n0,0.125\n");
        chars = dir.resolve("chars.safetensors");
        try (ElmanRnn m = RandomModels.model(5, 16, 5, Output.SOFTMAX, 3, 7)) {
            ModelFile.save(m, chars, Map.of("task", "chars", "vocabulary", "\nabc "));
        }
        // int8 weights of d = 512 are 256 KiB: more than a pipe holds, so the writer meets the closed pipe
        big = dir.resolve("big.safetensors");
        try (ElmanRnn m = RandomModels.model(64, 512, 8, Output.IDENTITY, 1, 11)) {
            ModelFile.save(m, big, Map.of());
        }
    }

    /** Each output path of each command, made to lead to /dev/full (directly, or through a link where the name must end in .onnx or .csv). */
    static Stream<Arguments> fileOutputs() {
        return Stream.of(
                Arguments.of("forward --output", "forward --model {M} --input {I} --output {FULL}", "{FULL}"),
                Arguments.of("grad --output", "grad --model {M} --data {I} --topology many-to-many --loss mse --output {FULL}", "{FULL}"),
                Arguments.of("quantize --output", "quantize --model {M} --output {FULL}", "{FULL}"),
                Arguments.of("export --output", "export --model {M} --output {D}/full.onnx", "{D}/full.onnx"),
                Arguments.of("train --output", "train --train {C} --topology many-to-one --epochs 1 --hidden 4 --output {FULL} --checkpoint {D}/t1.ckpt", "{FULL}"),
                Arguments.of("train --checkpoint", "train --train {C} --topology many-to-one --epochs 1 --hidden 4 --output {D}/t2.safetensors --checkpoint {FULL}", "{FULL}"),
                Arguments.of("train --report", "train --train {C} --topology many-to-one --epochs 1 --hidden 4 --output {D}/t3.safetensors --report {D}/report", "{D}/report/epochs.csv"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fileOutputs")
    @Timeout(120)
    void aFullDeviceIsOneLineNamingThePath(String what, String line, String shown) throws Exception {
        Assumptions.assumeTrue(Files.exists(FULL), "no /dev/full here");
        Path onnx = dir.resolve("full.onnx"), report = dir.resolve("report");
        if (!Files.isSymbolicLink(onnx)) Files.createSymbolicLink(onnx, FULL);
        if (!Files.exists(report)) {
            Files.createDirectory(report);
            Files.createSymbolicLink(report.resolve("epochs.csv"), FULL);
        }
        List<String> args = new ArrayList<>();
        for (String a : line.split(" ")) args.add(fill(a));
        Cli r = Cli.run(args.toArray(String[]::new));
        assertEquals(1, r.code(), what + ": " + r);
        List<String> err = r.err().lines().toList();
        assertEquals("vecrnn " + args.get(0) + ": " + fill(shown) + ": " + NO_SPACE, err.getLast(), r.toString());
        assertEquals(1, err.stream().filter(l -> l.contains("cannot write")).count(), r.toString());
        for (String l : err) assertFalse(l.startsWith("\tat ") || l.contains("Exception"), "a stack trace: " + r);
        assertTrue(Files.isSymbolicLink(onnx) && Files.isSymbolicLink(report.resolve("epochs.csv")), "the links stay links");
    }

    /**
     * A checkpoint written to a character device is not removed at the end: the device stays (as root it could
     * be deleted). A private copy of /dev/null (mknod, as root) stands in for it, so a failure harms nothing else.
     */
    @Test
    @Timeout(120)
    void aCheckpointOnADeviceIsNotRemoved() throws Exception {
        Path nul = dir.resolve("null");
        Process mknod = new ProcessBuilder("mknod", nul.toString(), "c", "1", "3").redirectErrorStream(true).start();
        String why = new String(mknod.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        Assumptions.assumeTrue(mknod.waitFor() == 0, "cannot make a device node here (not root, or no CAP_MKNOD): " + why);
        Cli r = Cli.run("train", "--train", csv.toString(), "--topology", "many-to-one", "--epochs", "1", "--hidden", "4",
                "--output", dir.resolve("t4.safetensors").toString(), "--checkpoint", nul.toString());
        assertEquals(0, r.code(), r.toString());
        assertEquals(org.vecrnn.io.FileKind.CHAR_DEVICE, org.vecrnn.io.FileKind.of(nul), "the device was removed");
    }

    static String fill(String a) {
        return a.replace("{M}", model.toString()).replace("{I}", input.toString()).replace("{C}", csv.toString())
                .replace("{D}", dir.toString()).replace("{FULL}", FULL.toString());
    }

    /** Commands whose output is stdout, with stdout on /dev/full. */
    static Stream<Arguments> stdoutCommands() {
        return Stream.of(
                Arguments.of("inspect", List.of("inspect", "{M}")),
                Arguments.of("sample", List.of("sample", "--model", "{CHARS}", "--length", "50")),
                Arguments.of("export (its report)", List.of("export", "--model", "{M}", "--output", "{D}/m.onnx")),
                Arguments.of("quantize (its report)", List.of("quantize", "--model", "{M}", "--output", "{D}/q.safetensors")),
                Arguments.of("forward --output -", List.of("forward", "--model", "{M}", "--input", "{I}", "--output", "-")),
                Arguments.of("quantize --output -", List.of("quantize", "--model", "{M}", "--output", "-")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stdoutCommands")
    @Timeout(120)
    void stdoutOnAFullDeviceIsOneLine(String what, List<String> line) throws Exception {
        Assumptions.assumeTrue(Files.exists(FULL), "no /dev/full here");
        List<String> args = line.stream().map(a -> fill(a).replace("{CHARS}", chars.toString())).toList();
        Process p = new ProcessBuilder(StreamLimitsTest.command(args.toArray(String[]::new))).redirectOutput(FULL.toFile()).start();
        String err = StreamLimitsTest.stderr(p);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(1, p.exitValue(), what + ": " + err);
        assertEquals(List.of("vecrnn " + args.get(0) + ": stdout: " + NO_SPACE), err.lines().filter(l -> l.contains("cannot write")).toList(), err);
        assertFalse(err.contains("Exception") || err.contains("\tat "), err);
    }

    /** {@code quantize --output -}: stdout is the model file alone, the report goes to stderr with no invented size. */
    @Test
    @Timeout(120)
    void quantizeToStdoutWritesTheModelAloneAndReportsOnStderr() throws Exception {
        Path got = dir.resolve("from-stdout.safetensors");
        Process p = new ProcessBuilder(StreamLimitsTest.command("quantize", "--model", model.toString(), "--output", "-"))
                .redirectOutput(got.toFile()).start();
        String err = StreamLimitsTest.stderr(p);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), err);
        try (QuantizedRnn q = QuantizedModelFile.load(got)) {
            assertEquals(17, q.d());
        }
        List<String> lines = err.lines().toList();
        assertEquals(2, lines.size(), err);
        assertTrue(lines.get(1).startsWith("stdout: int8-row: (parameters "), err);
        assertFalse(err.contains("-1 bytes"), err);
    }

    /** {@code quantize --output - | head -c 1}: the reader goes away mid-file; quietly, at once, status 141. */
    @Test
    @Timeout(120)
    void aClosedPipeEndsAFileWrittenToStdoutQuietly() throws Exception {
        Process p = new ProcessBuilder(StreamLimitsTest.command("quantize", "--model", big.toString(), "--output", "-")).start();
        InputStream out = p.getInputStream();
        assertTrue(out.read() >= 0);
        out.close();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the writer goes on after its reader left");
        String err = StreamLimitsTest.stderr(p);
        assertEquals(CheckedOutput.BROKEN_PIPE, p.exitValue(), err);
        assertEquals("", err);
    }

    /**
     * The real thing, through a shell: {@code yes LINE | vecrnn stream | head -1} prints one line and ends
     * within seconds; vecrnn's status is 141 and it writes nothing to stderr.
     */
    @Test
    @Timeout(120)
    void streamIntoHeadEndsAtOnceAndQuietly() throws Exception {
        Assumptions.assumeTrue(new File("/bin/bash").canExecute(), "no bash here");
        Path errFile = dir.resolve("stream.err");
        String java = String.join(" ", StreamLimitsTest.command("stream", "--model", model.toString()).stream().map(OutputErrorsTest::quote).toList());
        String line = "0.1 ".repeat(18) + "0.1";
        String script = "yes '" + line + "' | " + java + " 2>" + quote(errFile.toString()) + " | head -1; echo \"status ${PIPESTATUS[1]}\"";
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder("/bin/bash", "-c", script).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        double seconds = (System.nanoTime() - t0) / 1e9;
        List<String> lines = out.lines().toList();
        assertEquals(2, lines.size(), out);
        assertEquals(3, lines.get(0).split(" ").length, "one output line of k = 3 numbers: " + out);
        assertEquals("status 141", lines.get(1), out);
        String err = Files.readString(errFile).lines().filter(l -> !l.startsWith("vecrnn: ")).reduce("", String::concat);
        assertEquals("", err, "a closed pipe ends quietly");
        assertTrue(seconds < 30, "took " + seconds + " s");
    }

    static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
