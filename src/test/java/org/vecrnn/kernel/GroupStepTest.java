package org.vecrnn.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.vecrnn.RandomModels;
import org.vecrnn.model.ElmanRnn;
import org.vecrnn.model.Output;
import org.vecrnn.quant.Int8Models;
import org.vecrnn.quant.Int8Scheme;
import org.vecrnn.quant.QuantizedRnn;

/**
 * The grouped step and head ({@link StepKernel#stepGroup}, {@link StepKernel#headGroup}) against the same
 * kernel's single step, stream by stream, bit for bit: the grouped loops promise the single step's operations
 * in its order. Odd sizes (tail vectors, blocks of 8, 4 and 1), group sizes 1..64 (4-stream tiles and the 2-
 * and 1-stream rests), fp32 and both int8 schemes, several steps so each stream's h evolves on its own.
 * The pom's second surefire run repeats this at 256-bit vectors.
 */
class GroupStepTest {
    static List<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        int[][] sizes = {{1, 1, 1}, {3, 17, 5}, {17, 33, 3}, {33, 65, 17}, {5, 128, 16}, {40, 129, 33}, {65, 257, 65}, {128, 256, 16}};
        long seed = 18_001;
        for (int[] s : sizes)
            for (int m : new int[] {1, 2, 3, 4, 5, 7, 9, 32, 64}) out.add(Arguments.of(s[0], s[1], s[2], m, seed++));
        return out;
    }

    @ParameterizedTest(name = "fp32 n={0} d={1} k={2} m={3} seed={4}")
    @MethodSource("cases")
    void fp32GroupEqualsSingleBitForBit(int n, int d, int k, int m, long seed) {
        System.out.println("GroupStepTest fp32 seed=" + seed);
        try (ElmanRnn model = RandomModels.model(n, d, k, Output.IDENTITY, 1.0, seed);
             StepKernel vec = new VectorStepKernel(model); StepKernel ref = new ScalarStepKernel(model)) {
            same(vec, n, d, k, m, seed);
            if (m <= 5) same(ref, n, d, k, m, seed); // the default (a loop of single steps) too
        }
    }

    @ParameterizedTest(name = "int8 n={0} d={1} k={2} m={3} seed={4}")
    @MethodSource("cases")
    void int8GroupEqualsSingleBitForBit(int n, int d, int k, int m, long seed) {
        System.out.println("GroupStepTest int8 seed=" + seed);
        for (Int8Scheme scheme : Int8Scheme.values())
            try (QuantizedRnn q = Int8Models.int8(n, d, k, Output.IDENTITY, scheme, seed); StepKernel vec = Int8Kernels.vector(q)) {
                same(vec, n, d, k, m, seed);
            }
    }

    /** Three steps of m streams from random h: grouped against single, every h and z bit for bit. */
    private static void same(StepKernel kr, int n, int d, int k, int m, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[][] h = new float[m][], x = new float[m][], hg = new float[m][], zg = new float[m][];
        float[] hs = new float[d], zs = new float[k];
        for (int s = 0; s < m; s++) {
            h[s] = RandomModels.uniform(r, d, 1);
            x[s] = RandomModels.uniform(r, n, 2);
            hg[s] = new float[d];
            zg[s] = new float[k];
        }
        for (int t = 0; t < 3; t++) {
            kr.stepGroup(h, x, hg, m);
            kr.headGroup(hg, zg, m);
            for (int s = 0; s < m; s++) {
                kr.step(h[s], x[s], hs);
                kr.head(hs, zs);
                assertArrayEquals(hs, hg[s], "h of stream " + s + " at step " + t);
                assertArrayEquals(zs, zg[s], "z of stream " + s + " at step " + t);
                float[] swap = h[s];
                h[s] = hg[s];
                hg[s] = swap;
                x[s] = RandomModels.uniform(r, n, 2);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kernels")
    void badArgumentsAreRefusedBeforeAnyWork(String what) {
        try (ElmanRnn model = RandomModels.model(3, 17, 5, Output.IDENTITY, 1.0, 5); StepKernel kr = what.equals("vector") ? new VectorStepKernel(model) : new ScalarStepKernel(model)) {
            float[][] h = {new float[17], new float[17]}, x = {new float[3], new float[3]}, out = {new float[17], new float[17]};
            assertThrows(IllegalArgumentException.class, () -> kr.stepGroup(h, x, out, 3));
            assertThrows(IllegalArgumentException.class, () -> kr.stepGroup(h, x, new float[][] {new float[17], new float[16]}, 2));
            assertThrows(IllegalArgumentException.class, () -> kr.stepGroup(h, x, new float[][] {new float[17], h[1]}, 2));
            assertThrows(IllegalArgumentException.class, () -> kr.stepGroup(h, new float[][] {new float[3], null}, out, 2));
            assertThrows(IllegalArgumentException.class, () -> kr.headGroup(h, new float[][] {new float[5], new float[4]}, 2));
        }
    }

    static List<String> kernels() {
        return List.of("vector", "scalar");
    }
}
