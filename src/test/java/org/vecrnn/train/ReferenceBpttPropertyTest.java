package org.vecrnn.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.vecrnn.RandomModels;
import org.vecrnn.model.ElmanRnn;
import org.vecrnn.model.Loss;
import org.vecrnn.model.Output;
import org.vecrnn.model.Topology;

/** Properties of the reference BPTT on seeded random models (the seed is in each test's name). */
class ReferenceBpttPropertyTest {

    /** Sizes include d = n = k = 1 and values that are not multiples of 8 or 16. */
    static List<Arguments> cases() {
        int[][] sizes = {{1, 1, 1}, {1, 3, 2}, {5, 17, 3}, {3, 1, 4}, {19, 33, 5}, {7, 15, 1}, {2, 6, 9}};
        List<Arguments> out = new ArrayList<>();
        long seed = 20261126;
        for (int[] s : sizes)
            for (Output g : Output.values())
                for (Loss loss : Loss.values()) {
                    if (loss == Loss.CE && g == Output.IDENTITY) continue;
                    Topology top = Topology.values()[(int) (seed % 3)];
                    out.add(Arguments.of(seed++, s[0], s[1], s[2], g, loss, top));
                }
        return out;
    }

    record Case(ReferenceBptt ref, int B, int T, float[] x, float[] h0, float[] y) {}

    static Case random(long seed, int n, int d, int k, Output g, Topology top) {
        SplittableRandom r = new SplittableRandom(seed);
        int B = 1 + r.nextInt(3), T = 1 + r.nextInt(6);
        try (ElmanRnn m = RandomModels.model(r, n, d, k, g, 1.5)) {
            float[] x = RandomModels.normal(r, B * T * n);
            if (top == Topology.ONE_TO_MANY) for (int s = 0; s < B; s++) java.util.Arrays.fill(x, (s * T + 1) * n, (s + 1) * T * n, 0f);
            float[] h0 = RandomModels.uniform(r, B * d, 0.9);
            float[] y = RandomModels.targets(r, top == Topology.MANY_TO_ONE ? B : B * T, k, g);
            return new Case(ReferenceBptt.of(m), B, T, x, h0, y);
        }
    }

    @ParameterizedTest(name = "seed={0} n={1} d={2} k={3} {4} {5} {6}")
    @MethodSource("cases")
    void gradientsEqualCentralDifferences(long seed, int n, int d, int k, Output g, Loss loss, Topology top) {
        Case c = random(seed, n, d, k, g, top);
        ReferenceBptt ref = c.ref;
        ReferenceBptt.Gradients gr = ref.gradients(c.x, c.B, c.T, c.h0, c.y, top, loss);
        double[][] params = {ref.U, ref.W, ref.a, ref.V, ref.b};
        double[][] grads = {gr.dU(), gr.dW(), gr.da(), gr.dV(), gr.db()};
        String[] names = {"U", "W", "a", "V", "b"};
        // central differences in double: truncation O(eps²) ≈ 1e-10, rounding ≈ 1e-16/eps ≈ 1e-11
        double eps = 1e-5;
        for (int p = 0; p < params.length; p++) {
            for (int i = 0; i < params[p].length; i++) {
                double keep = params[p][i];
                params[p][i] = keep + eps;
                double up = ref.loss(c.x, c.B, c.T, c.h0, c.y, top, loss);
                params[p][i] = keep - eps;
                double down = ref.loss(c.x, c.B, c.T, c.h0, c.y, top, loss);
                params[p][i] = keep;
                double fd = (up - down) / (2 * eps);
                assertEquals(fd, grads[p][i], 1e-7 * (1 + Math.abs(fd)), names[p] + "[" + i + "]");
            }
        }
        // inputs and the initial state are float arrays: nudge them by a float-representable step
        checkInputGradient(c, top, loss, c.x, gr.dx(), "x");
        checkInputGradient(c, top, loss, c.h0, gr.dh0(), "h0");
    }

    private static void checkInputGradient(Case c, Topology top, Loss loss, float[] v, double[] grad, String name) {
        float eps = 1f / 1024;
        for (int i = 0; i < v.length; i++) {
            float keep = v[i];
            v[i] = keep + eps;
            double up = c.ref.loss(c.x, c.B, c.T, c.h0, c.y, top, loss);
            v[i] = keep - eps;
            double down = c.ref.loss(c.x, c.B, c.T, c.h0, c.y, top, loss);
            v[i] = keep;
            double fd = (up - down) / (2 * eps);
            // truncation error of a step of 1/1024 is O(eps²·|L'''|) ≈ 1e-6
            assertEquals(fd, grad[i], 2e-5 * (1 + Math.abs(fd)), name + "[" + i + "]");
        }
    }

    @ParameterizedTest(name = "seed={0} n={1} d={2} k={3} {4} {5}")
    @MethodSource("cases")
    void manyToOneEqualsManyToManyWithOnlyTheLastTarget(long seed, int n, int d, int k, Output g, Loss loss, Topology ignored) {
        Case c = random(seed, n, d, k, g, Topology.MANY_TO_ONE);
        var one = c.ref.gradients(c.x, c.B, c.T, c.h0, c.y, Topology.MANY_TO_ONE, loss);
        // The loss is a sum over steps, and steps before the last depend only on x_1..x_{T-1}: so many-to-many
        // with the target at T equals many-to-one plus a many-to-many run over the first T-1 steps alone.
        float[] yAll = new float[c.B * c.T * k];
        for (int s = 0; s < c.B; s++) System.arraycopy(c.y, s * k, yAll, (s * c.T + c.T - 1) * k, k);
        var many = c.ref.gradients(c.x, c.B, c.T, c.h0, yAll, Topology.MANY_TO_MANY, loss);
        var early = earlyStepsOnly(c, yAll, loss);
        assertClose(one.loss(), many.loss() - early.loss(), "loss");
        double[][] a = {one.dU(), one.dW(), one.da(), one.dV(), one.db(), one.dh0(), one.dx()};
        double[][] m = {many.dU(), many.dW(), many.da(), many.dV(), many.db(), many.dh0(), many.dx()};
        double[][] e = {early.dU(), early.dW(), early.da(), early.dV(), early.db(), early.dh0(), early.dx()};
        for (int p = 0; p < a.length; p++)
            for (int i = 0; i < a[p].length; i++) assertClose(a[p][i], m[p][i] - e[p][i], "tensor " + p + "[" + i + "]");
    }

    /** Loss and gradients of the steps before the last, from a many-to-many run on the first T-1 steps. */
    private static ReferenceBptt.Gradients earlyStepsOnly(Case c, float[] yAll, Loss loss) {
        ReferenceBptt r = c.ref;
        int T = c.T, B = c.B;
        if (T == 1) {
            int n = r.n, d = r.d, k = r.k;
            return new ReferenceBptt.Gradients(0, null, new double[d * n], new double[d * d], new double[d], new double[k * d],
                    new double[k], new double[B * d], new double[B * T * n]);
        }
        float[] x = new float[B * (T - 1) * r.n], y = new float[B * (T - 1) * r.k];
        for (int s = 0; s < B; s++) {
            System.arraycopy(c.x, s * T * r.n, x, s * (T - 1) * r.n, (T - 1) * r.n);
            System.arraycopy(yAll, s * T * r.k, y, s * (T - 1) * r.k, (T - 1) * r.k);
        }
        var g = r.gradients(x, B, T - 1, c.h0, y, Topology.MANY_TO_MANY, loss);
        double[] dx = new double[B * T * r.n];
        for (int s = 0; s < B; s++) System.arraycopy(g.dx(), s * (T - 1) * r.n, dx, s * T * r.n, (T - 1) * r.n);
        return new ReferenceBptt.Gradients(g.loss(), null, g.dU(), g.dW(), g.da(), g.dV(), g.db(), g.dh0(), dx);
    }

    private static void assertClose(double want, double got, String what) {
        assertEquals(want, got, 1e-12 * (1 + Math.abs(want)), what);
    }

    @ParameterizedTest(name = "seed={0} n={1} d={2} k={3} {4}")
    @MethodSource("cases")
    void oneToManyStatesEqualFeedingTheFirstInputAlone(long seed, int n, int d, int k, Output g, Loss loss, Topology ignored) {
        Case c = random(seed, n, d, k, g, Topology.ONE_TO_MANY);
        var f = c.ref.forward(c.x, c.B, c.T, c.h0);
        // feed x_1 alone, then step the recurrence with no input at all: h_t = tanh(W h_{t-1} + a)
        ReferenceBptt r = c.ref;
        for (int s = 0; s < c.B; s++) {
            float[] x1 = java.util.Arrays.copyOfRange(c.x, s * c.T * n, s * c.T * n + n);
            float[] h0 = java.util.Arrays.copyOfRange(c.h0, s * d, s * d + d);
            double[] h = r.forward(x1, 1, 1, h0).h();
            for (int t = 0; t < c.T; t++) {
                if (t > 0) {
                    double[] next = new double[d];
                    for (int i = 0; i < d; i++) {
                        double pre = r.a[i];
                        for (int j = 0; j < d; j++) pre += r.W[i * d + j] * h[j];
                        next[i] = Math.tanh(pre);
                    }
                    h = next;
                }
                double[] want = java.util.Arrays.copyOfRange(f.h(), (s * c.T + t) * d, (s * c.T + t + 1) * d);
                assertArrayEquals(want, h, 0, "sequence " + s + " step " + t);
            }
        }
    }
}
