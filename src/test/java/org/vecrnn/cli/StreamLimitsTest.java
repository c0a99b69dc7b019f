package org.vecrnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.vecrnn.infer.InferenceModel;
import org.vecrnn.infer.StreamState;
import org.vecrnn.io.ModelFile;
import org.vecrnn.model.ElmanRnn;

/**
 * {@code stream} against hostile input and output: a line of any length costs no more than the line cap,
 * a closed stdout ends the program at once and quietly, a full disk is one error line and exit 1, and only
 * decimal or scientific numbers are taken, bad tokens echoed with control characters escaped.
 */
class StreamLimitsTest {
    static final Path MODEL = StreamCommandTest.MODEL;

    @TempDir
    Path tmp;

    /** Bytes '1' for ever (well, {@code count} of them) without a newline, produced as they are read. */
    static InputStream ones(long count) {
        return new InputStream() {
            long left = count;

            @Override
            public int read() {
                return left-- > 0 ? '1' : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (left <= 0) return -1;
                int n = (int) Math.min(len, left);
                Arrays.fill(b, off, off + n, (byte) '1');
                left -= n;
                return n;
            }
        };
    }

    /** 1 GiB without a newline between two good lines: reported as one long line, both good lines answered. */
    @Test
    @Timeout(120)
    void aHugeLineIsSkippedWithoutBeingHeld() throws Exception {
        try (ElmanRnn m = ModelFile.load(MODEL); InferenceModel im = InferenceModel.of(m)) {
            float[][] xs = StreamCommandTest.inputs(m.n(), 2);
            String good0 = StreamCommandTest.line(xs[0], " ") + "\n", good1 = "\n" + StreamCommandTest.line(xs[1], " ") + "\n";
            long huge = 1L << 30;
            InputStream in = new SequenceInputStream(new SequenceInputStream(bytes(good0), ones(huge)), bytes(good1));
            InputStream old = System.in;
            Cli r;
            try {
                System.setIn(in);
                r = Cli.run("stream", "--model", MODEL.toString());
            } finally {
                System.setIn(old);
            }
            assertEquals(0, r.code(), r.toString());
            List<String> answers = r.out().lines().toList();
            StreamState want = im.newStream();
            float[] o = new float[m.k()];
            want.step(xs[0], o);
            String a0 = StreamCommandTest.line(o, " ");
            want.step(xs[1], o); // the huge line is skipped: the state goes on from step 0
            assertEquals(List.of(a0, StreamCommandTest.line(o, " ")), answers);
            int cap = StreamCommand.defaultLineCap(m.n());
            assertTrue(r.err().contains("stdin line 2: the line is " + huge + " bytes, longer than the " + cap + " taken (--max-line-bytes)"), r.err());
        }
    }

    @Test
    void theLineCapIsAnOption() throws Exception {
        try (ElmanRnn m = ModelFile.load(MODEL)) {
            String good = StreamCommandTest.line(StreamCommandTest.inputs(m.n(), 1)[0], " ");
            InputStream old = System.in;
            Cli small, zero;
            try {
                System.setIn(bytes(good + "\n" + good + "\r\n"));
                small = Cli.run("stream", "--model", MODEL.toString(), "--max-line-bytes", Integer.toString(good.length() - 1));
                System.setIn(bytes(good + "\n"));
                zero = Cli.run("stream", "--model", MODEL.toString(), "--max-line-bytes", "0");
            } finally {
                System.setIn(old);
            }
            assertEquals(0, small.code(), small.toString());
            assertEquals("", small.out());
            assertEquals(2, small.err().lines().filter(l -> l.contains("longer than the " + (good.length() - 1) + " taken")).count(), small.toString());
            assertEquals(2, zero.code(), zero.toString());
        }
    }

    static InputStream bytes(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    /** Like {@code stream ... | head -1}: once the reader is gone the program ends at once, with nothing on stderr. */
    @Test
    @Timeout(60)
    void aClosedPipeEndsTheStreamQuietlyAndAtOnce() throws Exception {
        Process p = start(ProcessBuilder.Redirect.PIPE);
        try (ElmanRnn m = ModelFile.load(MODEL)) {
            String line = StreamCommandTest.line(StreamCommandTest.inputs(m.n(), 1)[0], " ") + "\n";
            OutputStream in = p.getOutputStream();
            Thread feeder = new Thread(() -> { // an endless producer, as `yes LINE | vecrnn stream` would be
                try {
                    byte[] b = line.getBytes(StandardCharsets.UTF_8);
                    while (true) {
                        in.write(b);
                        in.flush();
                    }
                } catch (Exception e) {
                    // the child has gone: the feeder stops
                }
            });
            feeder.setDaemon(true);
            feeder.start();
            var reader = p.inputReader(StandardCharsets.UTF_8);
            assertNotNull(reader.readLine());
            reader.close(); // head -1 exits
            assertTrue(p.waitFor(20, TimeUnit.SECONDS), "the stream goes on writing into a closed pipe");
            String err = stderr(p);
            assertEquals(CheckedOutput.BROKEN_PIPE, p.exitValue(), err);
            assertEquals("", err, "a closed pipe ends quietly");
        } finally {
            p.destroyForcibly();
        }
    }

    /** {@code stream > /dev/full}: one line naming stdout and the reason, exit 1. */
    @Test
    @Timeout(60)
    void aFullDiskIsOneErrorLineAndExit1() throws Exception {
        File full = new File("/dev/full");
        org.junit.jupiter.api.Assumptions.assumeTrue(full.exists(), "no /dev/full here");
        Path input = tmp.resolve("in.txt");
        try (ElmanRnn m = ModelFile.load(MODEL)) {
            StringBuilder b = new StringBuilder();
            for (float[] x : StreamCommandTest.inputs(m.n(), 3)) b.append(StreamCommandTest.line(x, " ")).append('\n');
            Files.writeString(input, b);
        }
        Process p = start(ProcessBuilder.Redirect.to(full), input);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        String err = stderr(p);
        assertEquals(1, p.exitValue(), err);
        assertEquals(List.of("vecrnn stream: stdout: cannot write: No space left on device"), err.lines().toList());
    }

    /** Other commands check stdout too: inspect > /dev/full is exit 1 with the reason, not a silent 0. */
    @Test
    @Timeout(60)
    void everyCommandChecksStdout() throws Exception {
        File full = new File("/dev/full");
        org.junit.jupiter.api.Assumptions.assumeTrue(full.exists(), "no /dev/full here");
        Process p = new ProcessBuilder(command("inspect", MODEL.toString())).redirectOutput(full).start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        String err = stderr(p);
        assertEquals(1, p.exitValue(), err);
        assertEquals(List.of("vecrnn inspect: stdout: cannot write: No space left on device"), err.lines().toList());
    }

    @Test
    void onlyDecimalAndScientificNumbersAreTaken() {
        float[] x = new float[3];
        assertNull(StreamCommand.parse("1 -2.5 3e-2", x));
        assertEquals(0.03f, x[2]);
        assertNull(StreamCommand.parse(".5, +4., 1E+3", x));
        for (String bad : new String[] {"1f", "2d", "0x1p3", "NaN", "Infinity", "-Infinity", "1e", "e5", ".", "1_000", "١"}) {
            String problem = StreamCommand.parse("1 2 " + bad, x);
            assertNotNull(problem, bad);
            assertTrue(problem.startsWith("value 3 is not a number"), problem);
        }
        assertTrue(StreamCommand.parse("1 2 1e39", x).contains("not finite"));
        String echoed = StreamCommand.parse("1 2 a\u001b[2J\u0007b", x);
        assertTrue(echoed.contains("'a\\u001b[2J\\u0007b'"), echoed);
        for (char c : echoed.toCharArray()) assertTrue(c >= 0x20, "a control character reached the message: " + echoed);
    }

    static List<String> command(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Dvecrnn.kernel.quiet=true", "-cp", System.getProperty("java.class.path"), "org.vecrnn.cli.Main"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    static Process start(ProcessBuilder.Redirect out, Path... input) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command("stream", "--model", MODEL.toString())).redirectOutput(out);
        if (input.length > 0) pb.redirectInput(input[0].toFile());
        return pb.start();
    }

    /** stderr without the start-up notes ("vecrnn: blas: ...", "vecrnn: kernels: ..."). */
    static String stderr(Process p) throws Exception {
        String all = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        return all.lines().filter(l -> !l.startsWith("vecrnn: ")).map(l -> l + "\n").reduce("", String::concat);
    }
}
