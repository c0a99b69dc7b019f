package org.vecrnn.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vecrnn.JitActivity;
import org.vecrnn.RandomModels;
import org.vecrnn.io.ModelFile;
import org.vecrnn.io.QuantizedModelFile;
import org.vecrnn.model.ElmanRnn;
import org.vecrnn.model.Nonlinearity;
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

    /**
     * A warmed model's streams (on the plain Java twins, then, after the hand-over, on the Vector API kernels)
     * give the bits of an unwarmed model's streams (the Vector API kernels from the start), single and grouped,
     * for fp32 and int8, one layer and stacked, tanh and relu, sigmoid and softmax heads.
     */
    @Test
    void warmUpRunsAndChangesNothingACallerSees() throws InterruptedException {
        SplittableRandom seeds = new SplittableRandom(18_700);
        try (ElmanRnn one = RandomModels.model(7, 33, 3, Output.SOFTMAX, 1.5, 18_700);
             ElmanRnn stack = RandomModels.stacked(seeds, 7, 33, 3, 2, Nonlinearity.RELU, Output.SIGMOID, 1.5)) {
            for (ElmanRnn m : new ElmanRnn[] {one, stack}) {
                Path fp = tmp.resolve("fp" + m.layers() + ".safetensors"), q8 = tmp.resolve("q8" + m.layers() + ".safetensors");
                ModelFile.save(m, fp, Map.of());
                try (QuantizedRnn q = Quantizer.quantize(m, Int8Scheme.DEFAULT)) {
                    QuantizedModelFile.save(q, q8, Map.of());
                }
                for (Path f : new Path[] {fp, q8}) sameBitsAcrossTheHandOver(f);
            }
        }
    }

    private static void sameBitsAcrossTheHandOver(Path f) throws InterruptedException {
        try (InferenceModel warm = InferenceModel.load(f, true, true); InferenceModel cold = InferenceModel.load(f, true, false)) {
            System.out.println("WarmUpTest " + f.getFileName() + ": " + warm.describeStep() + (!warm.warm() ? ", on its twins after load" : ", handed over during load"));
            StreamState a = warm.newStream(), b = cold.newStream(), c = warm.newStream();
            // the warmed model's first group warms the grouped step: its streams still match too
            StreamGroup group = warm.newGroup(2);
            StreamState[] pair = {c, warm.newStream()};
            SplittableRandom r = new SplittableRandom(18_701);
            int k = warm.k();
            float[] oa = new float[k], ob = new float[k];
            float[][] oc = new float[2][k];
            long until = System.nanoTime() + 60_000_000_000L;
            int t = 0;
            // steps before the hand-over (on the twins), until it and then 50 more
            for (int after = 0; after < 50 && System.nanoTime() < until; t++) {
                float[] x = RandomModels.uniform(r, warm.n(), 2);
                a.step(x, oa);
                b.step(x, ob);
                group.step(pair, new float[][] {x, x}, oc, 2);
                assertArrayEquals(ob, oa, f.getFileName() + " step " + t);
                assertArrayEquals(ob, oc[0], f.getFileName() + " grouped step " + t);
                if (warm.warm()) after++;
                else if (t > 50) Thread.sleep(5);
            }
            assertTrue(warm.warm(), f.getFileName() + ": no hand-over within 60 s");
        }
    }

    /** Closing a model while the warm-up thread runs stops that thread; the model's streams then refuse to step. */
    @Test
    void closeStopsTheWarmUp() {
        Path fp = tmp.resolve("close.safetensors");
        try (ElmanRnn m = RandomModels.model(5, 64, 2, Output.IDENTITY, 1, 18_702)) {
            ModelFile.save(m, fp, Map.of());
        }
        InferenceModel warm = InferenceModel.load(fp, true, true);
        StreamState s = warm.newStream();
        s.step(new float[5], new float[2]);
        Thread warmer = warm.warmUpThread();
        System.out.println("WarmUpTest: the warm-up thread was " + (warmer != null && warmer.isAlive() ? "running" : "done") + " at close");
        warm.close();
        assertTrue(warmer != null, "a Vector API model loaded with warm-up has a warm-up thread");
        assertFalse(warmer.isAlive(), "the warm-up thread outlived its model");
        assertThrows(IllegalStateException.class, () -> s.step(new float[5], new float[2]));
    }

    /**
     * Twins live on the heap until the hand-over, so a model whose twins would take more than an eighth of the
     * heap loads without them: in a JVM of 32 MB (4 MB for twins), a d = 1,100 fp32 model (4.9 MB of weights) is
     * warm at once (warm_ms = load_ms), and still steps.
     */
    @Test
    void aModelTooBigForTwinsLoadsWithout() throws IOException, InterruptedException {
        assertTrue(InferenceModel.twinsFit(1000));
        assertFalse(InferenceModel.twinsFit(Runtime.getRuntime().maxMemory()));
        Path big = tmp.resolve("big.safetensors");
        try (ElmanRnn m = RandomModels.model(8, 1100, 2, Output.IDENTITY, 1, 18_703)) {
            ModelFile.save(m, big, Map.of());
        }
        String out = freshJvm(List.of("-Xmx32m"), "bench", "--workload", "coldstart", "--model", big.toString());
        System.out.print("WarmUpTest (32 MB heap): " + out);
        Matcher load = Pattern.compile("load_ms=([0-9.]+) warm_ms=([0-9.]+) ").matcher(out);
        assertTrue(load.find(), out);
        assertEquals(load.group(1), load.group(2), "no twins: warm from the load on");
    }

    /** `vecrnn bench --workload coldstart` in a fresh JVM, at d = 256, fp32 and int8: the figures printed. */
    @Test
    void coldStartFiguresOfAFreshJvm() throws IOException, InterruptedException {
        for (String weights : new String[] {"fp32", "int8"}) {
            List<String> args = new ArrayList<>(List.of("bench", "--workload", "coldstart", "--n", "128", "--d", "256", "--k", "16"));
            if (weights.equals("int8")) args.add("--int8");
            String out = freshJvm(List.of(), args.toArray(String[]::new));
            System.out.print("WarmUpTest (fresh JVM): " + out);
            assertTrue(out.matches("workload=coldstart n=128 d=256 k=16 weights=" + weights + " load_ms=[0-9.]+ warm_ms=([0-9.]+|none) first_step_us=[0-9.]+ first1000_p50_us=[0-9.]+"
                    + " first1000_p99_us=[0-9.]+ steady_p50_us=[0-9.]+ steady_p99_us=[0-9.]+ warmup=on\\R"), out);
        }
    }

    /** The output of {@code vecrnn args} in a fresh JVM with these JVM options (stderr dropped); it must exit 0 within 120 s. */
    private static String freshJvm(List<String> jvmOptions, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                "org.vecrnn.cli.Main"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    /**
     * The hand-over waits until the Vector API kernels have run {@link JitActivity#C2_CALLS} steps:
     * kernels so cheap that two blocks agree and the JIT is idle at once (as C1 code's blocks do while it is slow
     * to reach C2's thresholds) are still called that often first.
     */
    @Test
    void theHandOverWaitsForTheKernelsToRunOftenEnoughForC2() throws InterruptedException {
        TinyKernel twin = new TinyKernel(), vector = new TinyKernel();
        HandOff h = TinyKernel.handOff(twin, vector);
        WarmUp.load(h.layers(), h.activation(), h, System.nanoTime());
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!h.done() && System.nanoTime() < until) Thread.sleep(10);
        assertTrue(h.done(), "no hand-over within 60 s");
        assertTrue(vector.steps.get() >= JitActivity.C2_CALLS,
                "handed over after " + vector.steps.get() + " steps of the Vector API kernels, fewer than " + JitActivity.C2_CALLS);
        h.close();
    }

    /**
     * Load returns after the twins have run {@link JitActivity#C2_CALLS} steps, however soon two blocks agree:
     * when it returned at the first agreement, C2 was still compiling the twins' main loop as the caller's first
     * steps ran.
     */
    @Test
    void loadWarmsTheTwinsOftenEnoughForC2() {
        TinyKernel twin = new TinyKernel(), vector = new TinyKernel();
        HandOff h = TinyKernel.handOff(twin, vector);
        WarmUp.load(h.layers(), h.activation(), h, System.nanoTime());
        long atReturn = twin.steps.get();
        h.close();
        assertTrue(atReturn >= JitActivity.C2_CALLS, "load returned after " + atReturn + " steps of the twins, fewer than " + JitActivity.C2_CALLS);
    }
}
