package org.vecrnn.cli;

import org.vecrnn.infer.StreamState;
import org.vecrnn.infer.InferenceModel;
import java.util.Arrays;

/**
 * Per-step latency of a stream, as a service sees it: each step timed on its own (System.nanoTime around
 * one {@link StreamState#step}), reported as percentiles and as steps per second over the timed steps.
 */
public record StepLatency(long steps, double p50Nanos, double p99Nanos, double stepsPerSecond) {

    /**
     * Streams the sequences x [N, T, n] one step at a time (h reset before each sequence), first {@code warmup}
     * times untimed so the JIT has compiled the step, then once timed.
     */
    public static StepLatency measure(InferenceModel model, float[] x, int N, int T, int warmup) {
        int n = model.n();
        if (x.length != (long) N * T * n) throw new IllegalArgumentException("x has " + x.length + " values, expected N*T*n=" + (long) N * T * n);
        StreamState s = model.newStream();
        float[] xt = new float[n], o = new float[model.k()];
        for (int round = 0; round < warmup; round++) run(s, x, N, T, xt, o, null);
        long[] nanos = new long[N * T];
        long t0 = System.nanoTime();
        run(s, x, N, T, xt, o, nanos);
        long total = System.nanoTime() - t0;
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return new StepLatency(nanos.length, percentile(sorted, 0.50), percentile(sorted, 0.99), nanos.length / (total * 1e-9));
    }

    private static void run(StreamState s, float[] x, int N, int T, float[] xt, float[] o, long[] nanos) {
        int n = xt.length;
        for (int i = 0; i < N; i++) {
            s.reset();
            for (int t = 0; t < T; t++) {
                System.arraycopy(x, (i * T + t) * n, xt, 0, n);
                long t0 = System.nanoTime();
                s.step(xt, o);
                if (nanos != null) nanos[i * T + t] = System.nanoTime() - t0;
            }
        }
    }

    static double percentile(long[] sorted, double q) {
        int i = (int) Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
        return sorted[i];
    }
}
