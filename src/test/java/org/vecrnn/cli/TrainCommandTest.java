package org.vecrnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.vecrnn.io.ModelFile;
import org.vecrnn.model.ElmanRnn;

/** vecrnn train through the command line: bad data is one line with file and line, exit 1; models load. */
class TrainCommandTest {
    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> badData() {
        return java.util.stream.Stream.of(
                org.junit.jupiter.params.provider.Arguments.of("wrong column count", "label,a,b\n1,0.5,0.25\n0,0.5\n", "data.csv:3: 2 columns, expected 3 (as on line 1)"),
                org.junit.jupiter.params.provider.Arguments.of("non-numeric cell", "1,0.5,0.25\n0,0.5,abc\n", "data.csv:2: column 3: 'abc' is not a finite number"),
                org.junit.jupiter.params.provider.Arguments.of("label out of range", "1,0.5,0.25\n7,0.5,0.1\n", "data.csv:2: column 1: label 7 is out of range 0..2"),
                org.junit.jupiter.params.provider.Arguments.of("label not integer", "1,0.5,0.25\nx,0.5,0.1\n", "data.csv:2: column 1: 'x' is not an integer class label"),
                org.junit.jupiter.params.provider.Arguments.of("empty file", "", "data.csv: no data rows (the file is empty)"),
                org.junit.jupiter.params.provider.Arguments.of("header only", "label,a,b\n", "data.csv: no data rows after the header"));
    }

    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.MethodSource("badData")
    void badDataIsOneLineWithFileAndLine(String what, String content, String expected, @TempDir Path dir) throws Exception {
        Path csv = dir.resolve("data.csv");
        Files.writeString(csv, content);
        Run r = run("train", "--train", csv.toString(), "--topology", "many-to-one", "--classes", "3", "--epochs", "1", "--output", dir.resolve("m.safetensors").toString());
        assertEquals(1, r.code(), what + ": " + r.err());
        assertTrue(r.err().strip().endsWith(expected), what + ": " + r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains(csv.toString()), r.err());
        assertTrue(Files.notExists(dir.resolve("m.safetensors")));
    }

    /** /dev/null.ckpt was written beside a model sent to /dev/null (as root; as anyone else the run failed there). */
    @Test
    void anOutputThatIsNoFileGetsNoCheckpointBesideIt() throws Exception {
        Path nul = Path.of("/dev/null");
        Assumptions.assumeTrue(Files.exists(nul) && Files.notExists(Path.of("/dev/null.ckpt")), "no /dev/null here, or a .ckpt beside it already");
        // --keep-checkpoint: a checkpoint beside the output would still be there after the run
        Run r = run("train", "--task", "digits", "--hidden", "4", "--epochs", "1", "--keep-checkpoint", "--output", nul.toString());
        boolean beside = Files.deleteIfExists(Path.of("/dev/null.ckpt"));
        assertEquals(0, r.code(), r.err());
        assertFalse(beside, "a checkpoint was written to /dev/null.ckpt");
        Run again = run("train", "--task", "digits", "--hidden", "4", "--epochs", "1", "--output", nul.toString(), "--resume");
        assertEquals(2, again.code(), again.err());
        assertTrue(again.err().contains("--resume needs --checkpoint FILE"), again.err());
    }

    @Test
    void usageErrorsExit2(@TempDir Path dir) {
        assertEquals(2, run("train", "--task", "mnist", "--output", dir.resolve("m").toString()).code());
        assertEquals(2, run("train", "--task", "digits", "--optimizer", "rmsprop", "--output", dir.resolve("m").toString()).code());
        assertEquals(2, run("train", "--train", "x.csv", "--output", dir.resolve("m").toString()).code(), "--train needs --topology");
        assertEquals(2, run("bench", "--workload", "train", "--d", "0").code());
        // out-of-range training numbers name their option (they were exit 1 with the trainer's own words)
        String[][] bad = {{"--lr", "0"}, {"--lr", "NaN"}, {"--clip", "-3"}, {"--momentum", "-5"}, {"--momentum", "1"}, {"--max-seconds", "-1"}};
        for (String[] b : bad) {
            Run r = run("train", "--task", "digits", "--optimizer", "sgd", b[0], b[1], "--output", dir.resolve("m").toString());
            assertEquals(2, r.code(), b[0] + " " + b[1] + ": " + r.err());
            assertTrue(r.err().contains(b[0] + " must be"), r.err());
        }
        assertTrue(Files.notExists(dir.resolve("m")));
    }

    @Test
    void ownCsvDataTrainsAndTheModelLoads(@TempDir Path dir) throws Exception {
        // many-to-one: class = whether the sum of 4 inputs (2 steps of 2) is positive
        StringBuilder sb = new StringBuilder("label,x1,x2,x3,x4\n");
        java.util.Random r = new java.util.Random(3);
        for (int i = 0; i < 200; i++) {
            float[] x = new float[4];
            float s = 0;
            for (int j = 0; j < 4; j++) s += x[j] = (float) r.nextGaussian();
            sb.append(s > 0 ? 1 : 0);
            for (float v : x) sb.append(',').append(v);
            sb.append('\n');
        }
        Path csv = dir.resolve("train.csv"), model = dir.resolve("m.safetensors");
        Files.writeString(csv, sb);
        Run run = run("train", "--train", csv.toString(), "--topology", "many-to-one", "--features", "2", "--hidden", "8", "--epochs", "20",
                "--output", model.toString());
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().startsWith("val_accuracy="), run.out());
        assertTrue(Double.parseDouble(run.out().split("[= ]")[1]) >= 0.8, run.out());
        try (ElmanRnn m = ModelFile.load(model)) {
            assertEquals(2, m.n());
            assertEquals(8, m.d());
            assertEquals(2, m.k());
        }
        assertTrue(Files.notExists(dir.resolve("m.safetensors.ckpt")), "a successful run removes its checkpoint");
        // forward takes the trained model
        Path in = dir.resolve("in.safetensors"), out = dir.resolve("out.safetensors");
        org.vecrnn.io.SafeTensorsWriter.write(in, java.util.List.of(org.vecrnn.io.Tensor.of("x", new float[] {1, 2, 3, 4}, 1, 2, 2)), java.util.Map.of());
        assertEquals(0, run("forward", "--model", model.toString(), "--input", in.toString(), "--output", out.toString()).code());
    }

    @Test
    void keepCheckpointKeepsIt(@TempDir Path dir) {
        Path model = dir.resolve("d.safetensors");
        Run r = run("train", "--task", "digits", "--epochs", "1", "--keep-checkpoint", "--output", model.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.exists(model));
        assertTrue(Files.exists(dir.resolve("d.safetensors.ckpt")), "--keep-checkpoint keeps it");
    }

    @Test
    void co2ReachesTheIssueFigure(@TempDir Path dir) {
        // the default command: first differences, early stopping on the last 15 % of the training windows;
        // the issue asks for a next-step RMSE of at most 0.37 ppm on the last 20 % (PyTorch 1.13: 0.366)
        Run r = run("train", "--task", "co2", "--output", dir.resolve("co2.safetensors").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("test_rmse="), r.out());
        assertTrue(Double.parseDouble(r.out().split("[= ]")[1]) <= 0.37, r.out());
        // the level model cannot follow the trend out of the training range (persistence gives 1.33)
        Run level = run("train", "--task", "co2", "--no-differences", "--epochs", "20", "--output", dir.resolve("level.safetensors").toString());
        assertEquals(0, level.code(), level.err());
        assertTrue(Double.parseDouble(level.out().split("[= ]")[1]) > 0.37, level.out());
    }
}
