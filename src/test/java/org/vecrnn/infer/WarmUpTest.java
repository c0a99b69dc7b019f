package org.vecrnn.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vecrnn.RandomModels;
import org.vecrnn.io.ModelFile;
import org.vecrnn.io.QuantizedModelFile;
import org.vecrnn.model.ElmanRnn;
import org.vecrnn.model.Output;
import org.vecrnn.quant.Int8Scheme;
import org.vecrnn.quant.Quantizer;
import org.vecrnn.quant.QuantizedRnn;

/**
 * The warm-up of {@link InferenceModel#load}: it runs (steps on scratch streams), it changes nothing a caller
 * sees (a warmed model's streams give the bits of an unwarmed one's, fp32 and int8), and the cold-start figures
 * of a fresh JVM are printed (runnable; their values are not asserted, CI machines are too noisy for that).
 */
class WarmUpTest {
    @TempDir
    Path tmp;

    @Test
    void warmUpRunsAndChangesNothingACallerSees() {
        try (ElmanRnn m = RandomModels.model(7, 33, 3, Output.SOFTMAX, 1.5, 18_700)) {
            Path fp = tmp.resolve("fp.safetensors"), q8 = tmp.resolve("q8.safetensors");
            ModelFile.save(m, fp, Map.of());
            try (QuantizedRnn q = Quantizer.quantize(m, Int8Scheme.DEFAULT)) {
                QuantizedModelFile.save(q, q8, Map.of());
            }
            for (Path f : new Path[] {fp, q8}) {
                try (InferenceModel warm = InferenceModel.load(f, true, true); InferenceModel cold = InferenceModel.load(f, true, false)) {
                    var kernels = warm.stepKernels().toArray(org.vecrnn.kernel.StepKernel[]::new);
                    var g = org.vecrnn.kernel.Kernels.activation(warm.output());
                    long soon = System.nanoTime() + 50_000_000L;
                    assertTrue(WarmUp.step(kernels, g, soon) > 0);
                    assertTrue(WarmUp.group(kernels, g, soon) > 0);
                    StreamState a = warm.newStream(), b = cold.newStream(), c = warm.newStream();
                    // the warmed model's first group warms the grouped step: its streams still match too
                    StreamGroup group = warm.newGroup(2);
                    SplittableRandom r = new SplittableRandom(18_701);
                    float[] oa = new float[3], ob = new float[3];
                    float[][] oc = new float[2][3];
                    StreamState[] pair = {c, warm.newStream()};
                    for (int t = 0; t < 50; t++) {
                        float[] x = RandomModels.uniform(r, 7, 2);
                        a.step(x, oa);
                        b.step(x, ob);
                        group.step(pair, new float[][] {x, x}, oc, 2);
                        assertArrayEquals(ob, oa, f.getFileName() + " step " + t);
                        assertArrayEquals(ob, oc[0], f.getFileName() + " grouped step " + t);
                    }
                }
            }
        }
    }

    /** `vecrnn bench --workload coldstart` in a fresh JVM, at d = 256, fp32 and int8: the figures printed. */
    @Test
    void coldStartFiguresOfAFreshJvm() throws IOException, InterruptedException {
        for (String weights : new String[] {"fp32", "int8"}) {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            ProcessBuilder pb = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                    "-cp", System.getProperty("java.class.path"), "org.vecrnn.cli.Main", "bench", "--workload", "coldstart",
                    "--n", "128", "--d", "256", "--k", "16");
            if (weights.equals("int8")) pb.command().add("--int8");
            pb.redirectError(ProcessBuilder.Redirect.DISCARD);
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(120, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), out);
            System.out.print("WarmUpTest (fresh JVM): " + out);
            assertTrue(out.matches("workload=coldstart n=128 d=256 k=16 weights=" + weights + " load_ms=[0-9.]+ first_step_us=[0-9.]+ first1000_p50_us=[0-9.]+"
                    + " first1000_p99_us=[0-9.]+ steady_p50_us=[0-9.]+ steady_p99_us=[0-9.]+ warmup=on\\R"), out);
        }
    }
}
