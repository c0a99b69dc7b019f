package org.vecrnn.bench;

import java.util.Arrays;
import java.util.Locale;

/**
 * How often this machine stretches a short stretch of work, whatever runs: a spin loop timed in chunks of a
 * few microseconds (20,000 chunks after two unreported passes), its p50, p99 and p99.9; then the stalls
 * themselves: a loop that only reads the clock for 0.5 s, and every gap between two reads over 5 µs (how many a
 * second, how long, how far apart). A step's p99 cannot be below the p99 of a chunk of the step's length: a step of
 * t µs on a machine with r stalls a second contains one with probability about t·r/10⁶, so once that passes 1 %
 * the step's p99 is a stall. Run: {@code java -cp bench/target/benchmarks.jar org.vecrnn.bench.MachineNoise 3 7 14}
 * (chunk lengths in µs).
 */
public final class MachineNoise {
    private MachineNoise() {}

    /** Gaps between clock reads above this are stalls, ns: a read takes well under a microsecond. */
    private static final long STALL_NS = 5_000;

    public static void main(String[] args) {
        double sink = 1;
        for (String a : args.length == 0 ? new String[] {"3", "7", "14"} : args) {
            long chunk = Long.parseLong(a) * 1000;
            long[] t = new long[20_000];
            for (int pass = 0; pass < 3; pass++)
                for (int i = 0; i < t.length; i++) {
                    long b = System.nanoTime();
                    while (System.nanoTime() - b < chunk) sink = sink * 1.0000001;
                    t[i] = System.nanoTime() - b;
                }
            Arrays.sort(t);
            System.out.printf(Locale.ROOT, "chunk_us=%s p50_us=%.1f p99_us=%.1f p999_us=%.1f max_us=%.0f%n", a, t[10_000] / 1e3,
                    t[19_800] / 1e3, t[19_980] / 1e3, t[19_999] / 1e3);
        }
        stalls(100_000_000L); // the loop compiled
        stalls(500_000_000L);
        if (sink == 0) System.out.println(sink); // keeps the loop
    }

    /** Reads the clock for {@code nanos} and prints the gaps over {@value #STALL_NS} ns (the last one, when the span is the longer of the two calls). */
    private static void stalls(long nanos) {
        long[] at = new long[1 << 16], len = new long[at.length];
        int n = 0;
        long start = System.nanoTime(), last = start;
        while (last - start < nanos) {
            long now = System.nanoTime();
            if (now - last > STALL_NS && n < at.length) {
                at[n] = now;
                len[n++] = now - last;
            }
            last = now;
        }
        if (nanos < 500_000_000L) return;
        long[] gaps = new long[Math.max(0, n - 1)];
        for (int i = 1; i < n; i++) gaps[i - 1] = at[i] - at[i - 1];
        long[] lens = Arrays.copyOf(len, n);
        Arrays.sort(lens);
        Arrays.sort(gaps);
        System.out.printf(Locale.ROOT, "stalls_over_5us_per_s=%.0f stall_p50_us=%.1f stall_p90_us=%.1f stall_max_us=%.0f interval_p50_ms=%.2f stalled_pct=%.2f%n",
                n * 1e9 / nanos, n == 0 ? 0 : lens[n / 2] / 1e3, n == 0 ? 0 : lens[n * 9 / 10] / 1e3, n == 0 ? 0 : lens[n - 1] / 1e3,
                gaps.length == 0 ? 0 : gaps[gaps.length / 2] / 1e6, 100.0 * Arrays.stream(lens).sum() / nanos);
    }
}
