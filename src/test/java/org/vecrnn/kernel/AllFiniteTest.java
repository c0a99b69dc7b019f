package org.vecrnn.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Kernels.allFinite (the chosen family: the Vector API one here, at both widths in verify) against a plain loop. */
class AllFiniteTest {
    static LongStream seeds() {
        return LongStream.range(1, 41);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void agreesWithAScalarLoopOnOddSizesAndEveryKindOfValue(long seed) {
        System.out.println("AllFiniteTest seed " + seed);
        SplittableRandom r = new SplittableRandom(seed);
        float[] special = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MAX_VALUE, -Float.MAX_VALUE,
                Float.MIN_VALUE, -0f, Float.intBitsToFloat(0x7fc00001), Float.intBitsToFloat(0xff800001)};
        for (int len : new int[] {0, 1, 3, 15, 16, 17, 33, 65, 272, 1000}) {
            int off = r.nextInt(5);
            float[] v = new float[off + len + r.nextInt(3)];
            for (int i = 0; i < v.length; i++) v[i] = (float) r.nextDouble(-1e3, 1e3);
            // outside the range: never looked at
            if (off > 0) v[off - 1] = Float.NaN;
            if (v.length > off + len) v[off + len] = Float.POSITIVE_INFINITY;
            assertEquals(true, Kernels.allFinite(v, off, len), "all finite, len " + len);
            if (len == 0) continue;
            float bad = special[r.nextInt(special.length)];
            int at = off + r.nextInt(len);
            v[at] = bad;
            assertEquals(Float.isFinite(bad), Kernels.allFinite(v, off, len), "len " + len + ", " + bad + " at " + (at - off));
        }
    }

    /** The same, called often enough that the JIT compiles allFinite (C2 must not fold v - v to 0). */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("hotSeeds")
    void staysRightOnceCompiled(long seed) {
        System.out.println("AllFiniteTest hot seed " + seed);
        SplittableRandom r = new SplittableRandom(seed);
        float[] bad = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        float[] v = new float[1000];
        for (int i = 0; i < v.length; i++) v[i] = (float) r.nextDouble(-1, 1);
        int wrong = 0;
        for (int call = 0; call < 200_000; call++) {
            int len = 1 + r.nextInt(v.length);
            boolean spoil = call % 5 == 0;
            int at = r.nextInt(len);
            float keep = v[at];
            if (spoil) v[at] = bad[call % 3];
            if (Kernels.allFinite(v, 0, len) == spoil) wrong++;
            v[at] = keep;
        }
        assertEquals(0, wrong, "calls answered wrongly");
    }

    static LongStream hotSeeds() {
        return LongStream.range(1, 3);
    }
}
