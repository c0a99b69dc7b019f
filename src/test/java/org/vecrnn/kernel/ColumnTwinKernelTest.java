package org.vecrnn.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.vecrnn.RandomModels;
import org.vecrnn.model.ElmanRnn;
import org.vecrnn.model.Nonlinearity;
import org.vecrnn.model.Output;
import org.vecrnn.model.Parameters;
import org.vecrnn.quant.Int8Models;
import org.vecrnn.quant.Int8Scheme;
import org.vecrnn.quant.QuantizedRnn;

/**
 * The plain Java twins against the Vector API kernels they stand in for, bit for bit: a model hands its streams
 * from one to the other in the middle of their lives, so any difference would show as a jump in a stream's
 * outputs. Odd sizes (blocks of 8, 4 and single vectors, partial last vectors, odd row counts), tanh and relu,
 * fp32 and both int8 schemes; step, projected step and head over several steps from random states. The pom's
 * second surefire run repeats this at 256-bit vectors (other blocks).
 */
class ColumnTwinKernelTest {
    static final int LANES = VectorWidth.FLOATS.length();

    static List<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        int[][] sizes = {{1, 1, 1}, {3, 3, 3}, {17, 17, 5}, {33, 65, 17}, {7, 100, 33}, {40, 129, 3}, {128, 256, 16}, {65, 257, 65}, {5, 1000, 9}};
        long seed = 25_001;
        for (int[] s : sizes)
            for (Nonlinearity f : Nonlinearity.values()) out.add(Arguments.of(s[0], s[1], s[2], f, seed++));
        return out;
    }

    @ParameterizedTest(name = "fp32 n={0} d={1} k={2} {3} seed={4}")
    @MethodSource("cases")
    void fp32TwinEqualsVectorBitForBit(int n, int d, int k, Nonlinearity f, long seed) {
        System.out.println("ColumnTwinKernelTest fp32 seed=" + seed);
        SplittableRandom r = new SplittableRandom(seed);
        try (ElmanRnn model = withNonlinearity(RandomModels.model(r, n, d, k, Output.IDENTITY, 1.5), f);
             StepKernel vec = new VectorStepKernel(model); StepKernel twin = new ColumnTwinKernel(model, LANES)) {
            same(vec, twin, r);
        }
    }

    @ParameterizedTest(name = "int8 n={0} d={1} k={2} {3} seed={4}")
    @MethodSource("cases")
    void int8TwinEqualsVectorBitForBit(int n, int d, int k, Nonlinearity f, long seed) {
        System.out.println("ColumnTwinKernelTest int8 seed=" + seed);
        for (Int8Scheme scheme : Int8Scheme.values())
            try (QuantizedRnn q = withNonlinearity(Int8Models.int8(n, d, k, Output.IDENTITY, scheme, seed), f);
                 StepKernel vec = Int8Kernels.vector(q); StepKernel twin = new Int8ColumnTwinKernel(q, LANES)) {
                same(vec, twin, new SplittableRandom(seed));
            }
    }

    /** Five steps from a random h (then each kernel's own h): step, head and the projected step, every value's bits. */
    private static void same(StepKernel vec, StepKernel twin, SplittableRandom r) {
        int n = vec.n(), d = vec.d(), k = vec.k();
        float[] h = RandomModels.uniform(r, d, 1), hv = new float[d], ht = new float[d], zv = new float[k], zt = new float[k];
        for (int t = 0; t < 5; t++) {
            float[] x = RandomModels.uniform(r, n, 3);
            vec.step(h, x, hv);
            twin.step(h, x, ht);
            assertArrayEquals(hv, ht, "h at step " + t);
            vec.head(hv, zv);
            twin.head(ht, zt);
            assertArrayEquals(zv, zt, "z at step " + t);
            float[] p = RandomModels.uniform(r, d + 3, 2);
            vec.stepProjected(h, p, 3, hv);
            twin.stepProjected(h, p, 3, ht);
            assertArrayEquals(hv, ht, "projected h at step " + t);
            h = hv.clone();
        }
    }

    @Test
    void twinChecksItsArgumentsAndFinite() {
        try (ElmanRnn model = RandomModels.model(new SplittableRandom(3), 4, 5, 2, Output.IDENTITY, 1); StepKernel twin = new ColumnTwinKernel(model, LANES)) {
            assertThrows(IllegalArgumentException.class, () -> twin.step(new float[4], new float[4], new float[5]));
            assertThrows(IllegalArgumentException.class, () -> twin.step(new float[5], new float[3], new float[5]));
            float[] h = new float[5];
            assertThrows(IllegalArgumentException.class, () -> twin.step(h, new float[4], h));
            assertTrue(twin.allFinite(new float[] {1, 2, 3}, 0, 3));
            assertFalse(twin.allFinite(new float[] {1, Float.NaN, 3}, 0, 3));
            assertTrue(twin.allFinite(new float[] {1, Float.NaN, 3}, 2, 1));
            assertThrows(IndexOutOfBoundsException.class, () -> twin.allFinite(new float[2], 1, 2));
            twin.close();
            assertThrows(IllegalStateException.class, () -> twin.step(new float[5], new float[4], new float[5]));
        }
    }

    private static ElmanRnn withNonlinearity(ElmanRnn m, Nonlinearity f) {
        if (f == m.nonlinearity()) return m;
        try (m) {
            Parameters p = m.parameters();
            return ElmanRnn.of(m.n(), m.d(), m.k(), m.output(), f, p);
        }
    }

    private static QuantizedRnn withNonlinearity(QuantizedRnn q, Nonlinearity f) {
        if (f == q.nonlinearity()) return q;
        try (q) {
            return QuantizedRnn.of(q.n(), q.d(), q.k(), q.output(), f, q.weights("U"), q.weights("W"), q.aValues(), q.weights("V"), q.bValues());
        }
    }
}
