package org.vecrnn.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.vecrnn.RandomModels;
import org.vecrnn.kernel.Int8Kernels;
import org.vecrnn.model.ElmanRnn;
import org.vecrnn.model.Output;
import org.vecrnn.quant.Int8Scheme;
import org.vecrnn.quant.Quantizer;

/**
 * {@link StepCoalescer} under many threads: each thread drives streams of its own through the coalescer, with
 * seeded random inputs, and now and then drops a stream and starts a new one (streams join and leave), or
 * pauses; every output and every final state must equal the same streams stepped alone on one thread, bit
 * for bit, so no step is lost, run twice or given another stream's input or output.
 */
class StepCoalescerTest {
    static List<Arguments> cases() {
        long seed = 18_900;
        return List.of(
                Arguments.of(16, 64, 50_000L, false, seed++),
                Arguments.of(24, 7, 20_000L, true, seed++),
                Arguments.of(8, 2, 0L, false, seed++),
                Arguments.of(32, 64, 200_000L, true, seed++));
    }

    @ParameterizedTest(name = "threads={0} maxGroup={1} window={2}ns int8={3} seed={4}")
    @MethodSource("cases")
    void manyThreadsGetTheirOwnStepsBitForBit(int threads, int maxGroup, long windowNs, boolean int8, long seed) throws Exception {
        System.out.println("StepCoalescerTest seed=" + seed);
        int n = 19, d = 65, k = 5, steps = 400;
        try (ElmanRnn fp = RandomModels.model(n, d, k, Output.SOFTMAX, 1.5, seed);
             InferenceModel im = int8 ? new InferenceModel(Int8Kernels.owning(Quantizer.quantize(fp, Int8Scheme.DEFAULT)), fp.output()) : InferenceModel.of(fp);
             ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            StepCoalescer c = new StepCoalescer(im, Duration.ofNanos(windowNs), maxGroup);
            CyclicBarrier start = new CyclicBarrier(threads);
            List<Future<float[][]>> fs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long threadSeed = seed * 1000 + t;
                fs.add(pool.submit(() -> {
                    start.await();
                    return drive(im, threadSeed, n, k, steps, (s, x, o) -> c.step(s, x, o));
                }));
            }
            for (int t = 0; t < threads; t++) {
                float[][] got = fs.get(t).get();
                float[][] want = drive(im, seed * 1000 + t, n, k, steps, StreamState::step);
                for (int i = 0; i < want.length; i++) assertArrayEquals(want[i], got[i], "thread " + t + " record " + i);
            }
            assertEquals((long) threads * steps, c.stepsRun(), "every call stepped once");
            System.out.printf("StepCoalescerTest: %d steps in %d groups%n", c.stepsRun(), c.groupsRun());
            assertTrue(c.groupsRun() <= c.stepsRun());
        }
    }

    interface Stepper {
        void step(StreamState s, float[] x, float[] out);
    }

    /**
     * One thread's work: 3 streams, each step on a random one; now and then a stream is dropped and a new one
     * takes its place. Returns every output, then every stream's final state.
     */
    static float[][] drive(InferenceModel im, long seed, int n, int k, int steps, Stepper stepper) {
        SplittableRandom r = new SplittableRandom(seed);
        List<StreamState> live = new ArrayList<>(List.of(im.newStream(), im.newStream(), im.newStream()));
        List<float[]> records = new ArrayList<>();
        for (int t = 0; t < steps; t++) {
            if (r.nextInt(50) == 0) live.set(r.nextInt(live.size()), im.newStream());
            if (r.nextInt(100) == 0) Thread.yield();
            float[] x = RandomModels.uniform(r, n, 2), out = new float[k];
            stepper.step(live.get(r.nextInt(live.size())), x, out);
            records.add(out);
        }
        for (StreamState s : live) {
            float[] h = new float[im.d()];
            s.saveState(h);
            records.add(h);
        }
        return records.toArray(float[][]::new);
    }

    @Test
    void aLoneCallerStepsAtOnceAndBadCallsFailInTheirOwnThread() {
        try (ElmanRnn fp = RandomModels.model(3, 17, 5, Output.IDENTITY, 1.0, 3); InferenceModel im = InferenceModel.of(fp)) {
            // a window of 10 ms: a lone caller that waited for it would take 10 s for these 1000 steps
            StepCoalescer c = new StepCoalescer(im, Duration.ofMillis(10), 64);
            StreamState s = im.newStream(), alone = im.newStream();
            float[] x = {0.5f, -0.25f, 1f}, out = new float[5], want = new float[5];
            long t0 = System.nanoTime();
            for (int i = 0; i < 1000; i++) {
                c.step(s, x, out);
                alone.step(x, want);
                assertArrayEquals(want, out);
            }
            assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "a lone caller does not wait for the window");
            assertEquals(1000, c.groupsRun());
            assertThrows(IllegalArgumentException.class, () -> c.step(s, new float[] {Float.POSITIVE_INFINITY, 0, 0}, out));
            assertThrows(IllegalArgumentException.class, () -> c.step(s, new float[2], out));
            assertThrows(IllegalArgumentException.class, () -> new StepCoalescer(im, Duration.ofSeconds(1), 64));
            assertEquals(1000, c.stepsRun());
        }
    }
}
