package org.vecrnn.bench;

import java.util.Arrays;
import java.util.Locale;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * This core's fp32 FMA peak through the Vector API: 12 independent chains of vector FMAs (enough to cover the
 * FMA latency on every x86 core of the last decade), timed in 8 rounds after 2 unreported ones; prints each
 * round and the median, in GFMA/s (lane FMAs a second) and vector FMAs a nanosecond. The grouped step at large d
 * is bound by this: a group of M streams does the FMAs of M single steps, so its speedup over the single step
 * cannot pass {@code peak / (the single step's FMA rate)}. Run:
 * {@code java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar org.vecrnn.bench.FmaPeak}.
 */
public final class FmaPeak {
    private FmaPeak() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final long ITERATIONS = 50_000_000L;
    private static final int CHAINS = 12;

    public static void main(String[] args) {
        float[] seed = new float[S.length()];
        double sink = 0;
        double[] gfma = new double[8];
        for (int r = -2; r < gfma.length; r++) {
            long t = System.nanoTime();
            sink += chains(ITERATIONS, seed);
            double seconds = (System.nanoTime() - t) / 1e9, perNs = ITERATIONS * (double) CHAINS / seconds / 1e9;
            if (r < 0) continue;
            gfma[r] = perNs * S.length();
            System.out.printf(Locale.ROOT, "round=%d lanes=%d gfma_per_s=%.1f vector_fma_per_ns=%.2f%n", r + 1, S.length(), gfma[r], perNs);
        }
        Arrays.sort(gfma);
        System.out.printf(Locale.ROOT, "median gfma_per_s=%.1f (lanes=%d, %d cores online)%s%n", (gfma[3] + gfma[4]) / 2, S.length(),
                Runtime.getRuntime().availableProcessors(), sink == 42 ? " " : "");
    }

    /** CHAINS independent FMA chains, {@code iterations} FMAs each; returns their sum so that none is dead code. */
    private static float chains(long iterations, float[] seed) {
        FloatVector a0 = FloatVector.fromArray(S, seed, 0), a1 = a0.add(1), a2 = a0.add(2), a3 = a0.add(3), a4 = a0.add(4), a5 = a0.add(5);
        FloatVector a6 = a0.add(6), a7 = a0.add(7), a8 = a0.add(8), a9 = a0.add(9), a10 = a0.add(10), a11 = a0.add(11);
        FloatVector m = FloatVector.broadcast(S, 0.999999f), c = FloatVector.broadcast(S, 1e-7f);
        for (long i = 0; i < iterations; i++) {
            a0 = a0.fma(m, c); a1 = a1.fma(m, c); a2 = a2.fma(m, c); a3 = a3.fma(m, c); a4 = a4.fma(m, c); a5 = a5.fma(m, c);
            a6 = a6.fma(m, c); a7 = a7.fma(m, c); a8 = a8.fma(m, c); a9 = a9.fma(m, c); a10 = a10.fma(m, c); a11 = a11.fma(m, c);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11).reduceLanes(VectorOperators.ADD);
    }
}
