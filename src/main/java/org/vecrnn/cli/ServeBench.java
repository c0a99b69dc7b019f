package org.vecrnn.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.IntToLongFunction;
import org.vecrnn.JitActivity;
import org.vecrnn.infer.InferenceModel;
import org.vecrnn.infer.StepCoalescer;
import org.vecrnn.infer.StreamGroup;
import org.vecrnn.infer.StreamState;
import org.vecrnn.io.ModelFile;
import org.vecrnn.io.QuantizedModelFile;
import org.vecrnn.model.ElmanRnn;
import org.vecrnn.quant.Int8Scheme;
import org.vecrnn.quant.Quantizer;

/**
 * The serving workloads of {@code vecrnn bench}: many streams stepped as groups ({@code streams}), threads
 * stepping their own streams through a {@link StepCoalescer} ({@code concurrent}), and a model's first steps
 * after {@link InferenceModel#load} in this fresh JVM ({@code coldstart}). Each returns the figures of its line.
 */
final class ServeBench {
    private ServeBench() {}

    /**
     * Warms a workload until it is steady: blocks of about 100 ms, until {@code minCalls} calls have run, two
     * successive blocks agree within 3% and the JIT was quiet during the second ({@link JitActivity}: its compiler
     * threads ran for under a tenth of it); at least 1 s, at most 20 s, so that a busy machine does not report a
     * cold figure. {@code block} runs the given number of calls and returns the nanoseconds they took;
     * {@code minCalls} is {@link JitActivity#C2_CALLS} over the calls of the kernel that one call makes (a group step of
     * m streams: m). Returns calls per block.
     */
    static int warm(IntToLongFunction block, long minCalls) {
        long t0 = System.nanoTime(), calls = 0;
        int per = 1;
        while (true) {
            long ns = block.applyAsLong(per);
            calls += per;
            if (ns >= 20_000_000L || per >= 1 << 24) break;
            per *= 2;
        }
        double last = Double.MAX_VALUE;
        JitActivity jit = new JitActivity();
        while (true) {
            jit.begin();
            long ns = block.applyAsLong(per);
            calls += per;
            double each = ns / (double) per;
            per = (int) Math.max(1, Math.min(1L << 24, per * 100_000_000L / Math.max(1, ns)));
            long elapsed = System.nanoTime() - t0;
            boolean steady = calls >= minCalls && Math.abs(each - last) <= 0.03 * Math.min(each, last) && jit.quiet();
            if (elapsed > 20_000_000_000L || elapsed > 1_000_000_000L && steady) return per;
            last = each;
        }
    }

    /** Random inputs, 64 of them, fixed seed. */
    static float[][] inputs(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[][] xs = new float[64][n];
        for (float[] x : xs) for (int j = 0; j < n; j++) x[j] = (float) r.nextDouble(-1, 1);
        return xs;
    }

    /** One stream's steps, then m streams stepped as groups, in one run: {ns per single step, stream-steps per s}. */
    static double[] streams(InferenceModel im, int m, int rounds) {
        float[][] xs = inputs(im.n(), 7);
        StreamState one = im.newStream();
        float[] o = new float[im.k()];
        StreamState[] ss = new StreamState[m];
        float[][] outs = new float[m][im.k()], gx = new float[m][];
        for (int i = 0; i < m; i++) {
            ss[i] = im.newStream();
            gx[i] = xs[i & 63];
        }
        StreamGroup g = im.newGroup(m);
        IntToLongFunction single = steps -> {
            long t0 = System.nanoTime();
            for (int t = 0; t < steps; t++) {
                if ((t & 1023) == 0) one.reset(); // keep h away from any fixed point
                one.step(xs[t & 63], o);
            }
            return System.nanoTime() - t0;
        };
        IntToLongFunction grouped = calls -> {
            long t0 = System.nanoTime();
            for (int t = 0; t < calls; t++) {
                if ((t & 63) == 0) for (StreamState s : ss) s.reset();
                gx[t % m] = xs[t & 63]; // inputs vary from call to call
                g.step(ss, gx, outs, m);
            }
            return System.nanoTime() - t0;
        };
        int perSingle = warm(single, JitActivity.C2_CALLS), perGroup = warm(grouped, (JitActivity.C2_CALLS + m - 1) / m);
        // alternating rounds of each, one after the other in this JVM: the two figures share the machine's state
        double[] a = new double[rounds], b = new double[rounds];
        for (int i = 0; i < rounds; i++) {
            a[i] = single.applyAsLong(perSingle) / (double) perSingle;
            b[i] = (double) perGroup * m / (grouped.applyAsLong(perGroup) * 1e-9);
        }
        return new double[] {BenchCommand.median(a), BenchCommand.median(b)};
    }

    /**
     * T threads, each stepping streams of its own through one coalescer, for the rounds; then the same threads
     * stepping alone (no coalescer). {stream-steps per s coalesced, alone, mean group size, p50 µs, p99 µs of
     * a coalesced call}.
     */
    static double[] concurrent(InferenceModel im, int threads, Duration window, int rounds) throws Exception {
        float[][] xs = inputs(im.n(), 9);
        StepCoalescer c = new StepCoalescer(im, window, StepCoalescer.DEFAULT_MAX_GROUP);
        double[] with = run(im, threads, xs, rounds, c), alone = run(im, threads, xs, rounds, null);
        long groups = c.groupsRun(), steps = c.stepsRun();
        return new double[] {with[0], alone[0], steps / (double) Math.max(1, groups), with[1], with[2]};
    }

    /** {steps per s (median of rounds of 0.5 s, after the warm-up inside), p50 and p99 µs of one call over the rounds}. */
    private static double[] run(InferenceModel im, int threads, float[][] xs, int rounds, StepCoalescer c) throws Exception {
        int samples = 1 << 16;
        long[][] lat = new long[threads][samples];
        long[] count = new long[threads];
        AtomicLongArray calls = new AtomicLongArray(threads); // each thread's calls during the warm-up
        AtomicBoolean timing = new AtomicBoolean(), stop = new AtomicBoolean();
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            CyclicBarrier start = new CyclicBarrier(threads + 1);
            Future<?>[] fs = new Future<?>[threads];
            for (int t = 0; t < threads; t++) {
                int id = t;
                fs[t] = pool.submit(() -> {
                    StreamState s = im.newStream();
                    float[] o = new float[im.k()];
                    start.await();
                    for (long i = 0; !stop.get(); i++) {
                        if ((i & 1023) == 0) s.reset();
                        float[] x = xs[(int) ((i + id) & 63)];
                        long t0 = System.nanoTime();
                        if (c == null) s.step(x, o);
                        else c.step(s, x, o);
                        if (timing.get()) {
                            long took = System.nanoTime() - t0;
                            lat[id][(int) (count[id]++ & (samples - 1))] = took;
                        } else {
                            calls.setOpaque(id, i + 1);
                        }
                    }
                    return null;
                });
            }
            start.await();
            // warm-up: at least 2 s, then until each thread has made C2_CALLS calls and the JIT was quiet for half
            // a second (at most 20 s), for the reasons in warm
            JitActivity jit = new JitActivity();
            long warmStart = System.nanoTime();
            Thread.sleep(2000);
            while (System.nanoTime() - warmStart < 20_000_000_000L) {
                jit.begin();
                Thread.sleep(500);
                long fewest = Long.MAX_VALUE;
                for (int t = 0; t < threads; t++) fewest = Math.min(fewest, calls.getOpaque(t));
                if (fewest >= JitActivity.C2_CALLS && jit.quiet()) break;
            }
            double[] rates = new double[rounds];
            timing.set(true);
            long[] before = new long[threads];
            for (int r = 0; r < rounds; r++) {
                for (int t = 0; t < threads; t++) before[t] = count[t];
                long t0 = System.nanoTime();
                Thread.sleep(500);
                long done = 0;
                for (int t = 0; t < threads; t++) done += count[t] - before[t];
                rates[r] = done / ((System.nanoTime() - t0) * 1e-9);
            }
            stop.set(true);
            for (Future<?> f : fs) f.get();
            int total = 0;
            for (int t = 0; t < threads; t++) total += (int) Math.min(samples, count[t]);
            long[] all = new long[total];
            int at = 0;
            for (int t = 0; t < threads; t++) {
                int cnt = (int) Math.min(samples, count[t]);
                System.arraycopy(lat[t], 0, all, at, cnt);
                at += cnt;
            }
            Arrays.sort(all);
            return new double[] {BenchCommand.median(rates), all[all.length / 2] / 1e3, all[(int) (all.length * 0.99)] / 1e3};
        }
    }

    /**
     * The model saved to a temporary file and loaded with {@link InferenceModel#load} in this JVM (fresh: the
     * bench has run no kernel before), then 1,000 steps timed one by one, then, after 3 s more, 100,000 steady
     * steps: {load ms, first step µs, first-1000 p50 µs, p99 µs, steady p50 µs, p99 µs}.
     */
    static double[] coldstart(ElmanRnn m, boolean int8) throws Exception {
        Path dir = Files.createTempDirectory("vecrnn-coldstart");
        Path f = dir.resolve("model.safetensors");
        try {
            if (int8) {
                try (var q = Quantizer.quantize(m, Int8Scheme.DEFAULT)) {
                    QuantizedModelFile.save(q, f, Map.of());
                }
            } else {
                ModelFile.save(m, f, Map.of());
            }
            return coldstart(f);
        } finally {
            Files.deleteIfExists(f);
            Files.deleteIfExists(dir);
        }
    }

    /** The same figures for a model file as it is (a user's own, with {@code bench --model}); the file is only read. */
    static double[] coldstart(Path f) {
        long t0 = System.nanoTime();
        try (InferenceModel im = InferenceModel.load(f)) {
            double loadMs = (System.nanoTime() - t0) / 1e6;
            float[][] xs = inputs(im.n(), 5);
            StreamState s = im.newStream();
            float[] o = new float[im.k()];
            long[] first = new long[1000];
            for (int i = 0; i < first.length; i++) {
                long a = System.nanoTime();
                s.step(xs[i & 63], o);
                first[i] = System.nanoTime() - a;
            }
            double firstUs = first[0] / 1e3;
            // on until the model steps on its final kernels (at most 60 s), then 3 s more before the steady figures
            long giveUp = System.nanoTime() + 60_000_000_000L, end = Long.MAX_VALUE;
            double warmMs = im.warm() ? loadMs : Double.NaN;
            for (int i = 0; System.nanoTime() < Math.min(end, giveUp); i++) {
                if ((i & 1023) == 0) {
                    s.reset();
                    if (end == Long.MAX_VALUE && im.warm()) {
                        if (Double.isNaN(warmMs)) warmMs = (System.nanoTime() - t0) / 1e6;
                        end = System.nanoTime() + 3_000_000_000L;
                    }
                }
                s.step(xs[i & 63], o);
            }
            long[] steady = new long[100_000];
            for (int i = 0; i < steady.length; i++) {
                if ((i & 1023) == 0) s.reset();
                long a = System.nanoTime();
                s.step(xs[i & 63], o);
                steady[i] = System.nanoTime() - a;
            }
            Arrays.sort(first);
            Arrays.sort(steady);
            return new double[] {loadMs, firstUs, first[500] / 1e3, first[990] / 1e3, steady[50_000] / 1e3, steady[99_000] / 1e3, warmMs};
        }
    }

    static String fmt(double v) {
        return String.format(Locale.ROOT, v >= 100 ? "%.0f" : v >= 10 ? "%.1f" : "%.2f", v);
    }
}
