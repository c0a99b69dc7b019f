package org.vecrnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vecrnn.Oracle;
import org.vecrnn.infer.InferenceModel;
import org.vecrnn.infer.StreamState;
import org.vecrnn.io.ModelFile;
import org.vecrnn.model.ElmanRnn;

/**
 * {@code vecrnn stream} in a child JVM, talked to line by line: each answer is read before the next line
 * is written (so nothing may wait for more input or for the end of stdin), malformed lines get an error on
 * stderr naming their line number and the stream goes on, an empty line starts a new sequence.
 */
class StreamCommandTest {
    static final Path MODEL = Oracle.dir().resolve("m2m_sigmoid_mse_n19_d17_k3_T7_B3_s1002.safetensors");

    @Test
    @Timeout(60)
    void answersEachLineAsItArrives() throws Exception {
        Process p = start(true);
        try (ElmanRnn m = ModelFile.load(MODEL); InferenceModel im = InferenceModel.of(m)) {
            float[][] xs = inputs(m.n(), 5);
            StreamState want = im.newStream();
            float[] o = new float[m.k()];
            Writer in = new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8);
            BufferedReader out = p.inputReader(StandardCharsets.UTF_8);
            for (int t = 0; t < xs.length; t++) {
                if (t == 3) { // a new sequence
                    in.write("\n");
                    want.reset();
                }
                in.write(line(xs[t], t % 2 == 0 ? " " : ", ") + "\n");
                in.flush();
                String answer = out.readLine();
                assertNotNull(answer, "no answer to step " + t);
                want.step(xs[t], o);
                assertEquals(line(o, " "), answer, "step " + t);
            }
            in.close();
            assertEquals(null, out.readLine());
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue());
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    @Timeout(60)
    void malformedLinesAreReportedAndSkipped() throws Exception {
        Process p = start(true);
        try (ElmanRnn m = ModelFile.load(MODEL); InferenceModel im = InferenceModel.of(m)) {
            float[][] xs = inputs(m.n(), 3);
            String ok0 = line(xs[0], " "), ok1 = line(xs[1], ","), ok2 = line(xs[2], " ");
            List<String> lines = List.of(ok0, "1 2 3", ok1, ok0.replaceFirst("^\\S+", "abc"), ok0.replaceFirst("^\\S+", "NaN"), ok2);
            Writer in = new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8);
            for (String l : lines) in.write(l + "\n");
            in.close();
            List<String> answers = p.inputReader(StandardCharsets.UTF_8).lines().toList();
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), err);

            StreamState want = im.newStream();
            float[] o = new float[m.k()];
            List<String> expected = new ArrayList<>();
            for (float[] x : xs) {
                want.step(x, o);
                expected.add(line(o, " "));
            }
            assertEquals(expected, answers, "the good lines are answered as if the bad ones were absent");
            assertTrue(err.contains("line 2: expected 19 numbers, found 3"), err);
            assertTrue(err.contains("line 4: value 1 is not a number in decimal or scientific notation: 'abc'"), err);
            assertTrue(err.contains("line 5: value 1 is not a number in decimal or scientific notation: 'NaN'"), err);
        } finally {
            p.destroyForcibly();
        }
    }

    /** Without --add-modules the Vector API is absent: one line says so, the scalar kernels answer. */
    @Test
    @Timeout(60)
    void runsScalarWithoutTheVectorModule() throws Exception {
        Process p = start(false);
        try (ElmanRnn m = ModelFile.load(MODEL); InferenceModel im = InferenceModel.scalar(m)) {
            float[][] xs = inputs(m.n(), 2);
            Writer in = new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8);
            for (float[] x : xs) in.write(line(x, " ") + "\n");
            in.close();
            List<String> answers = p.inputReader(StandardCharsets.UTF_8).lines().toList();
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), err);
            assertTrue(err.contains("vecrnn: kernels: scalar (module jdk.incubator.vector is not loaded"), err);
            assertEquals(1, err.lines().filter(l -> l.startsWith("vecrnn: kernels:")).count(), err);
            StreamState want = im.newStream();
            float[] o = new float[m.k()];
            for (int t = 0; t < xs.length; t++) {
                want.step(xs[t], o);
                assertEquals(line(o, " "), answers.get(t));
            }
        } finally {
            p.destroyForcibly();
        }
    }

    static Process start(boolean vector) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        if (vector) cmd.addAll(List.of("--add-modules", "jdk.incubator.vector"));
        cmd.addAll(List.of("--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                "org.vecrnn.cli.Main", "stream", "--model", MODEL.toString()));
        assertTrue(Files.exists(MODEL), MODEL.toString());
        return new ProcessBuilder(cmd).start();
    }

    static float[][] inputs(int n, int T) {
        float[][] xs = new float[T][n];
        for (int t = 0; t < T; t++) for (int j = 0; j < n; j++) xs[t][j] = (float) Math.sin(1.7 * t + 0.37 * j) * 2;
        return xs;
    }

    static String line(float[] v, String sep) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < v.length; i++) b.append(i == 0 ? "" : sep).append(v[i]);
        return b.toString();
    }
}
