package org.vecrnn.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Map;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.vecrnn.RandomModels;
import org.vecrnn.io.ModelFile;
import org.vecrnn.kernel.Int8Kernels;
import org.vecrnn.model.ElmanRnn;
import org.vecrnn.model.Nonlinearity;
import org.vecrnn.model.Output;
import org.vecrnn.quant.Int8Scheme;
import org.vecrnn.quant.Quantizer;

/**
 * Seeded property test of {@link StreamGroup}: a pool of streams, and at each step a random subset of 1 to 64
 * of them in random order (streams join and leave between steps; some are reset or restored from a saved
 * state), stepped as one group; the same streams, stepped alone on twin states with the same inputs, must
 * give the same outputs and states bit for bit. fp32 and int8, on odd sizes; stacked models (2, 3 and 8
 * layers) and ReLU in fp32.
 */
class StreamGroupTest {
    static List<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        long seed = 18_500;
        int[][] sizes = {{3, 17, 5}, {19, 65, 3}, {33, 129, 17}};
        for (int[] s : sizes)
            for (boolean int8 : new boolean[] {false, true}) out.add(Arguments.of(s[0], s[1], s[2], 1, Nonlinearity.TANH, int8, seed++));
        // stacked models and ReLU (fp32: int8 quantizes one tanh layer)
        out.add(Arguments.of(5, 33, 3, 3, Nonlinearity.TANH, false, seed++));
        out.add(Arguments.of(19, 65, 7, 2, Nonlinearity.RELU, false, seed++));
        out.add(Arguments.of(3, 17, 5, 8, Nonlinearity.RELU, false, seed++));
        out.add(Arguments.of(7, 17, 2, 1, Nonlinearity.RELU, false, seed++));
        return out;
    }

    @ParameterizedTest(name = "n={0} d={1} k={2} layers={3} f={4} int8={5} seed={6}")
    @MethodSource("cases")
    void groupStepsEqualSingleSteps(int n, int d, int k, int layers, Nonlinearity f, boolean int8, long seed) {
        System.out.println("StreamGroupTest seed=" + seed);
        SplittableRandom r = new SplittableRandom(seed);
        try (ElmanRnn fp = layers == 1 && f == Nonlinearity.TANH ? RandomModels.model(n, d, k, Output.SOFTMAX, 1.5, seed)
                : RandomModels.stacked(new SplittableRandom(seed), n, d, k, layers, f, Output.SOFTMAX, 1.0);
             InferenceModel im = model(fp, int8)) {
            int pool = 80;
            StreamState[] grouped = new StreamState[pool], alone = new StreamState[pool];
            for (int i = 0; i < pool; i++) {
                grouped[i] = im.newStream();
                alone[i] = im.newStream();
            }
            StreamGroup g = im.newGroup(64);
            StreamState[] members = new StreamState[64];
            float[][] xs = new float[64][], outs = new float[64][];
            float[] want = new float[k], saved = new float[im.stateSize()], savedAlone = new float[im.stateSize()];
            for (int t = 0; t < 60; t++) {
                int m = 1 + r.nextInt(64);
                int[] pick = r.ints(0, pool).distinct().limit(m).toArray();
                for (int i = 0; i < m; i++) {
                    members[i] = grouped[pick[i]];
                    xs[i] = RandomModels.uniform(r, n, 2);
                    outs[i] = new float[k + r.nextInt(3)];
                }
                g.step(members, xs, outs, m);
                for (int i = 0; i < m; i++) {
                    alone[pick[i]].step(xs[i], want);
                    for (int j = 0; j < k; j++) assertEquals(want[j], outs[i][j], "stream " + pick[i] + " output " + j + " at step " + t);
                }
                // a few streams reset, or moved through a saved state
                int s = r.nextInt(pool);
                if (r.nextInt(4) == 0) {
                    grouped[s].reset();
                    alone[s].reset();
                } else if (r.nextInt(4) == 0) {
                    grouped[s].saveState(saved);
                    grouped[s] = im.newStream();
                    grouped[s].restoreState(saved);
                }
            }
            for (int i = 0; i < pool; i++) {
                grouped[i].saveState(saved);
                alone[i].saveState(savedAlone);
                assertArrayEquals(savedAlone, saved, "state of stream " + i);
            }
        }
    }

    private static InferenceModel model(ElmanRnn fp, boolean int8) {
        return int8 ? new InferenceModel(Int8Kernels.owning(Quantizer.quantize(fp, Int8Scheme.DEFAULT)), fp.output()) : InferenceModel.of(fp);
    }

    /** A model whose metadata asks for standardised differences: the group applies it per stream, as step does. */
    @Test
    void preprocessingIsAppliedPerStream(@TempDir Path tmp) {
        Path f = tmp.resolve("diff.safetensors");
        try (ElmanRnn m = RandomModels.model(2, 33, 2, Output.IDENTITY, 1.0, 31)) {
            ModelFile.save(m, f, Map.of("mean", "[0.5, -1.0]", "std", "[2.0, 0.25]", "input", "differences"));
        }
        SplittableRandom r = new SplittableRandom(18_600);
        try (InferenceModel im = InferenceModel.load(f)) {
            StreamState[] grouped = {im.newStream(), im.newStream(), im.newStream()}, alone = {im.newStream(), im.newStream(), im.newStream()};
            StreamGroup g = im.newGroup(3);
            float[][] xs = new float[3][], outs = {new float[2], new float[2], new float[2]};
            float[] want = new float[2];
            for (int t = 0; t < 20; t++) {
                for (int i = 0; i < 3; i++) xs[i] = RandomModels.uniform(r, 2, 5);
                g.step(grouped, xs, outs, 3);
                for (int i = 0; i < 3; i++) {
                    alone[i].step(xs[i], want);
                    assertArrayEquals(want, outs[i], "stream " + i + " at step " + t);
                }
            }
        }
    }

    @Test
    void badCallsAreRefusedBeforeAnyStateChanges() {
        try (ElmanRnn fp = RandomModels.model(3, 17, 5, Output.IDENTITY, 1.0, 3); InferenceModel im = InferenceModel.of(fp);
             ElmanRnn other = RandomModels.model(3, 17, 5, Output.IDENTITY, 1.0, 4); InferenceModel im2 = InferenceModel.of(other)) {
            StreamGroup g = im.newGroup(4);
            StreamState a = im.newStream(), b = im.newStream();
            float[] x = {0.5f, 0.25f, -1f}, before = new float[17], after = new float[17];
            a.step(x, new float[5]);
            a.saveState(before);
            float[][] outs = {new float[5], new float[5]};
            assertThrows(IllegalArgumentException.class, () -> g.step(new StreamState[] {a, a}, new float[][] {x, x}, outs, 2));
            assertThrows(IllegalArgumentException.class, () -> g.step(new StreamState[] {a, b}, new float[][] {x, {1, Float.NaN, 0}}, outs, 2));
            assertThrows(IllegalArgumentException.class, () -> g.step(new StreamState[] {a, b}, new float[][] {x, {1, 0}}, outs, 2));
            assertThrows(IllegalArgumentException.class, () -> g.step(new StreamState[] {a, im2.newStream()}, new float[][] {x, x}, outs, 2));
            assertThrows(IllegalArgumentException.class, () -> g.step(new StreamState[] {a, b}, new float[][] {x, x}, new float[][] {new float[5], new float[4]}, 2));
            assertThrows(IllegalArgumentException.class, () -> g.step(new StreamState[5], new float[5][], new float[5][], 5));
            assertThrows(IllegalArgumentException.class, () -> im.newGroup(0));
            a.saveState(after);
            assertArrayEquals(before, after, "a refused call leaves the state as it was");
        }
    }
}
