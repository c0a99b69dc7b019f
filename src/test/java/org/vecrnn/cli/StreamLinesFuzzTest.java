package org.vecrnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.vecrnn.infer.InferenceModel;
import org.vecrnn.io.ModelFile;
import org.vecrnn.model.ElmanRnn;

/**
 * Mutation fuzzing of {@code stream}'s input, through the command's own loop ({@link StreamCommand#run}, what
 * {@code vecrnn stream} runs on stdin): seeded mutations of valid lines (bit flips, truncation, token
 * rewrites into other notations, control characters, invalid UTF-8, long runs past the line cap, CR LF).
 * Every case must end with exit 0 within its time limit and no exception; every stdout line must be k finite
 * numbers, every stderr line one "stdin line N: ..." report with no control character in it.
 *
 * <p>Cases: 10,000 in the normal run; {@code -Dvecrnn.fuzz.cases=N} and {@code -Dvecrnn.fuzz.seed=N} as for
 * the file parsers.
 */
class StreamLinesFuzzTest {
    static final int CASES = Integer.getInteger("vecrnn.fuzz.cases", 10_000);
    static final long SEED = Long.getLong("vecrnn.fuzz.seed", 20261126L);
    static final long CASE_LIMIT_MS = 5_000;
    static final String[] TOKENS = {"1f", "2d", "0x1p3", "NaN", "Infinity", "-Infinity", "1e39", "-1e39", "1e-50", "+.5", "5.", "..",
            "--1", "1e+", "e5", "1_0", "\u0000", "\u001b[31m", "é", "\uFFFF", "\u2028", ",,", " ", "\t", "\r", "", "١٢", "0.1e2.3", "9".repeat(60)};

    @Test
    void streamLines() throws Exception {
        System.out.printf("fuzz stream lines: %d cases, seed %d%n", CASES, SEED);
        long t0 = System.nanoTime();
        ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "fuzz-stream-lines");
            t.setDaemon(true);
            return t;
        });
        long answered = 0, reported = 0;
        try (ElmanRnn m = ModelFile.load(StreamCommandTest.MODEL); InferenceModel im = InferenceModel.of(m)) {
            int n = m.n(), k = m.k();
            for (int i = 0; i < CASES; i++) {
                SplittableRandom r = new SplittableRandom(SEED * 1_000_003L + i);
                byte[] input = mutate(validLines(r, n), r);
                int cap = r.nextInt(4) == 0 ? 1 + r.nextInt(400) : StreamCommand.defaultLineCap(n);
                StringWriter out = new StringWriter(), err = new StringWriter();
                PrintWriter o = new PrintWriter(out), e = new PrintWriter(err);
                Future<Integer> f = worker.submit(() -> StreamCommand.run(im, im.newStream(), new ByteArrayInputStream(input), o, e, cap));
                String where = "stream lines case " + i + " (seed " + SEED + ", " + input.length + " bytes, cap " + cap + ")";
                try {
                    assertEquals(0, f.get(CASE_LIMIT_MS, TimeUnit.MILLISECONDS), where);
                } catch (TimeoutException x) {
                    f.cancel(true);
                    fail(where + ": no answer within " + CASE_LIMIT_MS + " ms");
                } catch (ExecutionException x) {
                    fail(where + ": " + x.getCause(), x.getCause());
                }
                o.flush();
                e.flush();
                for (String line : out.toString().split("\n", -1)) {
                    if (line.isEmpty()) continue;
                    String[] parts = line.split(" ");
                    assertEquals(k, parts.length, where + ": output line '" + line + "'");
                    for (String p : parts) assertTrue(Float.isFinite(Float.parseFloat(p)), where + ": output line '" + line + "'");
                    answered++;
                }
                for (String line : err.toString().split("\n", -1)) {
                    if (line.isEmpty()) continue;
                    assertTrue(line.startsWith("vecrnn stream: stdin line "), where + ": error line '" + line + "'");
                    for (char c : line.toCharArray()) assertTrue(c >= 0x20 && c != 0x7f, where + ": control character in '" + line + "'");
                    reported++;
                }
            }
        } finally {
            worker.shutdownNow();
        }
        System.out.printf("fuzz stream lines: %d lines answered, %d reported, %.1f s%n", answered, reported, (System.nanoTime() - t0) / 1e9);
        assertTrue(answered > 0 && reported > 0, "the mutations reach both outcomes");
    }

    /** 1 to 6 lines of n numbers in the notations stream takes, separated by spaces or commas; now and then an empty line. */
    static byte[] validLines(SplittableRandom r, int n) {
        StringBuilder b = new StringBuilder();
        int lines = 1 + r.nextInt(6);
        for (int l = 0; l < lines; l++) {
            if (r.nextInt(8) == 0) b.append('\n');
            for (int j = 0; j < n; j++) {
                if (j > 0) b.append(r.nextBoolean() ? " " : ", ");
                double v = (r.nextDouble() * 2 - 1) * Math.pow(10, r.nextInt(-3, 4));
                b.append(r.nextBoolean() ? Float.toString((float) v) : String.format(java.util.Locale.ROOT, "%.4f", v));
            }
            b.append(r.nextInt(5) == 0 ? "\r\n" : "\n");
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    static byte[] mutate(byte[] v, SplittableRandom r) {
        int kind = r.nextInt(6);
        switch (kind) {
            case 0 -> { // bit flips
                byte[] out = v.clone();
                for (int f = 1 + r.nextInt(6); f > 0; f--) out[r.nextInt(out.length)] ^= (byte) (1 << r.nextInt(8));
                return out;
            }
            case 1 -> { // truncation
                return java.util.Arrays.copyOf(v, r.nextInt(v.length + 1));
            }
            case 2 -> { // a number rewritten into another notation, a control character or nothing
                String s = new String(v, StandardCharsets.UTF_8);
                String[] parts = s.split(" ", -1);
                parts[r.nextInt(parts.length)] = TOKENS[r.nextInt(TOKENS.length)];
                return String.join(" ", parts).getBytes(StandardCharsets.UTF_8);
            }
            case 3 -> { // a long run somewhere: digits, spaces or commas, past the line cap or not
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                int at = r.nextInt(v.length + 1), len = r.nextInt(1, 20_000);
                byte fill = (byte) "9 ,-.e".charAt(r.nextInt(6));
                b.write(v, 0, at);
                for (int i = 0; i < len; i++) b.write(fill);
                b.write(v, at, v.length - at);
                return b.toByteArray();
            }
            case 4 -> { // raw bytes: invalid UTF-8, NUL, DEL, ESC
                byte[] out = v.clone();
                for (int f = 1 + r.nextInt(4); f > 0; f--) out[r.nextInt(out.length)] = (byte) new int[] {0xff, 0xc3, 0x80, 0, 0x7f, 0x1b, '\r', '\n'}[r.nextInt(8)];
                return out;
            }
            default -> { // lines repeated and spliced
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                int from = r.nextInt(v.length), to = from + r.nextInt(v.length - from + 1);
                b.write(v, 0, to);
                b.write(v, from, v.length - from);
                return b.toByteArray();
            }
        }
    }
}
