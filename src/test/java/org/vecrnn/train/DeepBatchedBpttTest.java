package org.vecrnn.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.vecrnn.DeepOracle;
import org.vecrnn.RandomModels;
import org.vecrnn.blas.VectorSgemm;
import org.vecrnn.io.ModelFile;
import org.vecrnn.io.SafeTensors;
import org.vecrnn.kernel.SegmentOps;
import org.vecrnn.model.ElmanRnn;
import org.vecrnn.model.Loss;
import org.vecrnn.model.Nonlinearity;
import org.vecrnn.model.Output;
import org.vecrnn.model.Parameters;
import org.vecrnn.model.Topology;

/**
 * Batched BPTT of stacked and ReLU models (OpenBLAS and the Java GEMM) against the stacked PyTorch cases and
 * against {@link ReferenceBptt} on seeded random models of odd sizes: forward, loss and every gradient.
 */
class DeepBatchedBpttTest {
    static final double TOL = 1e-4;

    static Stream<Arguments> oracleCases() {
        List<Arguments> out = new ArrayList<>();
        for (String file : DeepOracle.names()) for (String g : List.of("openblas", "java")) out.add(Arguments.of(g, file));
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("oracleCases")
    void matchesPyTorchOracle(String gemmName, String file) {
        Path path = DeepOracle.dir().resolve(file);
        try (SafeTensors st = SafeTensors.open(path); ElmanRnn m = ModelFile.load(path)) {
            DeepOracle.Case c = DeepOracle.Case.read(st);
            BatchedGradients r = BatchedGradients.compute(BatchedBpttTest.gemm(gemmName), SegmentOps.get(), m, c.x(), c.B(), c.T(), c.h0(),
                    c.y(), c.topology(), c.loss());
            BatchedBpttTest.matchesCase(st, file, r, c.L());
        }
    }

    static final int[] SIZES = {1, 3, 17, 33};

    static Stream<Arguments> randomCases() {
        List<Arguments> out = new ArrayList<>();
        Random r = new Random(21);
        for (String g : List.of("openblas", "java"))
            for (int L = 1; L <= 3; L++)
                for (Nonlinearity f : Nonlinearity.values())
                    for (int i = 0; i < 3; i++) out.add(Arguments.of(g, L, f, r.nextLong()));
        return out.stream();
    }

    @ParameterizedTest(name = "{0} L={1} {2} seed={3}")
    @MethodSource("randomCases")
    void matchesReferenceOnOddSizes(String gemmName, int L, Nonlinearity f, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int n = SIZES[r.nextInt(SIZES.length)], d = SIZES[r.nextInt(SIZES.length)], k = SIZES[r.nextInt(SIZES.length)];
        int B = 1 + r.nextInt(6), T = 1 + r.nextInt(9);
        Topology top = Topology.values()[r.nextInt(3)];
        Object[][] pairs = {{Output.IDENTITY, Loss.MSE}, {Output.SIGMOID, Loss.MSE}, {Output.SIGMOID, Loss.CE}, {Output.SOFTMAX, Loss.CE}, {Output.SOFTMAX, Loss.MSE}};
        Object[] pair = pairs[r.nextInt(pairs.length)];
        Output g = (Output) pair[0];
        Loss loss = (Loss) pair[1];
        float[] x = RandomModels.normal(r, B * T * n), h0 = r.nextBoolean() ? null : RandomModels.uniform(r, L * B * d, 1);
        if (top == Topology.ONE_TO_MANY) for (int s = 0; s < B; s++) for (int i = n; i < T * n; i++) x[s * T * n + i] = 0;
        float[] y = RandomModels.targets(r, top == Topology.MANY_TO_ONE ? B : B * T, k, g);
        // half the many-to-many and one-to-many cases have burn-in steps without a target (truncated BPTT)
        int from = top == Topology.MANY_TO_ONE || r.nextBoolean() ? 0 : r.nextInt(T);
        try (ElmanRnn m = RandomModels.stacked(r, n, d, k, L, f, g, 1.5)) {
            BatchedGradients fast = BatchedGradients.compute(BatchedBpttTest.gemm(gemmName), SegmentOps.get(), m, x, B, T, h0, y, top, loss, from);
            ReferenceBptt.Gradients ref = ReferenceBptt.of(m).gradients(x, B, T, h0, y, top, loss, from);
            BatchedBpttTest.matchesReference("seed=" + seed + " L=" + L + " " + f.id() + " n=" + n + " d=" + d + " k=" + k + " B=" + B + " T=" + T
                    + " from=" + from + " " + top.id() + " " + g.id() + "+" + loss.id() + " ", fast, ref);
        }
    }

    @Test
    void carriedStateHoldsEveryLayerAndShapesMustAgree() {
        int n = 3, d = 5, k = 2, L = 3, B = 2, T = 4;
        SplittableRandom r = new SplittableRandom(8);
        try (ElmanRnn m = RandomModels.stacked(r, n, d, k, L, Nonlinearity.RELU, Output.IDENTITY, 1);
             ParamBuffers w = ParamBuffers.of(m.parameters(), n, d, k);
             BatchedBptt bptt = new BatchedBptt(new VectorSgemm(), SegmentOps.get(), n, d, k, L, Nonlinearity.RELU, Output.IDENTITY);
             Batch in = new Batch(B, T, n, d, L, k, Topology.MANY_TO_MANY); Batch oneLayer = new Batch(B, T, n, d, k, Topology.MANY_TO_MANY);
             Batch next = new Batch(B, T, n, d, L, k, Topology.MANY_TO_MANY)) {
            in.fill(RandomModels.normal(r, B * T * n), null, RandomModels.uniform(r, L * B * d, 1));
            bptt.forward(w, in);
            bptt.copyState(2, next.h0());
            for (int l = 0; l < L; l++) {
                float[] want = bptt.h(l).asSlice(2L * B * d * Float.BYTES, (long) B * d * Float.BYTES).toArray(ValueLayout.JAVA_FLOAT);
                float[] got = next.h0().asSlice((long) l * B * d * Float.BYTES, (long) B * d * Float.BYTES).toArray(ValueLayout.JAVA_FLOAT);
                assertArrayEquals(want, got, "layer " + l + " h_2");
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> bptt.forward(w, oneLayer));
            assertTrue(e.getMessage().contains("layers=1") && e.getMessage().contains("layers=3"), e.getMessage());
            try (ParamBuffers two = new ParamBuffers(n, d, k, 2)) {
                assertThrows(IllegalArgumentException.class, () -> bptt.forward(two, in));
            }
            assertThrows(IllegalArgumentException.class, () -> new ParamBuffers(n, d, k, Parameters.MAX_LAYERS + 1));
            assertThrows(IllegalArgumentException.class, () -> in.fill(new float[B * T * n], null, new float[B * d]), "h0 of one layer for three");
        }
    }
}
