package org.vecrnn.bench;

import java.util.Arrays;
import java.util.Locale;

/**
 * How often this machine stretches a short stretch of work, whatever runs: a spin loop timed in chunks of a
 * few microseconds (20,000 chunks after two unreported passes), its p50, p99 and p99.9. A step's p99 cannot be
 * below the p99 of a chunk of the step's length. Run: {@code java -cp bench/target/benchmarks.jar
 * org.vecrnn.bench.MachineNoise 3 7 14} (chunk lengths in µs).
 */
public final class MachineNoise {
    private MachineNoise() {}

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
        if (sink == 0) System.out.println(sink); // keeps the loop
    }
}
