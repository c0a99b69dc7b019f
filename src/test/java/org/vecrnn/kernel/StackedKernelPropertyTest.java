package org.vecrnn.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.vecrnn.Oracle;
import org.vecrnn.RandomModels;
import org.vecrnn.infer.InferenceModel;
import org.vecrnn.infer.StreamState;
import org.vecrnn.model.ElmanRnn;
import org.vecrnn.model.Nonlinearity;
import org.vecrnn.model.Output;
import org.vecrnn.model.Parameters;
import org.vecrnn.quant.Int8Scheme;
import org.vecrnn.quant.Int8Weights;
import org.vecrnn.quant.QuantizedRnn;
import org.vecrnn.quant.Quantizer;
import org.vecrnn.train.ReferenceBptt;

/**
 * Seeded random stacked models (L = 1..3, tanh and relu, odd sizes): the relu step of the Vector API kernels
 * (single, grouped, batch; fp32 and int8) against the scalar reference within the float rounding bound, and
 * whole stacked streams of both kernel families against the double-precision reference. The surefire run at
 * 256 bits repeats all of it at the other vector width.
 */
class StackedKernelPropertyTest {
    static final double U = 0x1p-24;
    static final int[] SIZES = {1, 3, 17, 33, 65};

    record Case(int n, int d, int k, int L, Nonlinearity f, long seed) {
        @Override
        public String toString() {
            return "n=" + n + " d=" + d + " k=" + k + " L=" + L + " f=" + f.id() + " seed=" + seed;
        }
    }

    static List<Case> cases() {
        List<Case> all = new ArrayList<>();
        long seed = 2100;
        for (int s : SIZES)
            for (Nonlinearity f : Nonlinearity.values()) {
                all.add(new Case(s, s, 3, 1 + (int) (seed % 3), f, seed++));
                all.add(new Case(5, s, s, 1 + (int) (seed % 3), f, seed++));
                all.add(new Case(s, 17, 2, 1 + (int) (seed % 3), f, seed++));
            }
        return all;
    }

    /** One layer's fused step, grouped step and batch recurrence, vector against scalar, for the model's f. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void layerStepMatchesScalar(Case c) {
        SplittableRandom r = new SplittableRandom(c.seed);
        try (ElmanRnn m = RandomModels.stacked(r, c.n, c.d, c.k, 1, c.f, Output.IDENTITY, 3.0);
             StepKernel ref = new ScalarStepKernel(m); StepKernel vec = new VectorStepKernel(m)) {
            Parameters p = m.parameters();
            float[] h = RandomModels.uniform(r, c.d, 1), x = RandomModels.uniform(r, c.n, 2);
            float[] want = new float[c.d], got = new float[c.d];
            ref.step(h, x, want);
            vec.step(h, x, got);
            for (int i = 0; i < c.d; i++) {
                double mag = Math.abs(p.a()[i]);
                for (int j = 0; j < c.d; j++) mag += Math.abs(p.W()[i * c.d + j] * h[j]);
                for (int j = 0; j < c.n; j++) mag += Math.abs(p.U()[i * c.n + j] * x[j]);
                // relu is exact and 1-Lipschitz; tanh adds its own error (VectorStepKernelTest.TANH_ERR)
                double tol = 2 * (c.d + c.n + 1) * U * mag + (c.f == Nonlinearity.TANH ? VectorStepKernelTest.TANH_ERR : 0);
                assertTrue(Math.abs(got[i] - want[i]) <= tol, c + " step row " + i + ": " + got[i] + " vs " + want[i] + " tol " + tol);
                if (c.f == Nonlinearity.RELU) assertTrue(got[i] >= 0, c + " relu output " + got[i]);
            }
            // the grouped step gives each stream the single step's bits
            float[][] hs = {h, RandomModels.uniform(r, c.d, 1), h.clone()}, xs = {x, RandomModels.uniform(r, c.n, 2), x.clone()};
            float[][] outs = new float[3][c.d];
            vec.stepGroup(hs, xs, outs, 3);
            for (int s = 0; s < 3; s++) {
                float[] single = new float[c.d];
                vec.step(hs[s], xs[s], single);
                for (int i = 0; i < c.d; i++)
                    assertEquals(Float.floatToRawIntBits(single[i]), Float.floatToRawIntBits(outs[s][i]), c + " group stream " + s + " row " + i);
            }
        }
        try (ElmanRnn m = RandomModels.stacked(new SplittableRandom(c.seed), c.n, c.d, c.k, 1, c.f, Output.IDENTITY, 3.0);
             BatchKernel ref = new ScalarBatchKernel(m); BatchKernel vec = new VectorBatchKernel(m)) {
            int rows = 5, hs = vec.hStride();
            Parameters p = m.parameters();
            float[] h = RandomModels.uniform(new SplittableRandom(c.seed + 1), rows * c.d, 1), pr = RandomModels.uniform(new SplittableRandom(c.seed + 2), rows * c.d, 2);
            float[] hv = new float[rows * hs], pv = new float[rows * hs];
            for (int row = 0; row < rows; row++) {
                System.arraycopy(h, row * c.d, hv, row * hs, c.d);
                System.arraycopy(pr, row * c.d, pv, row * hs, c.d);
            }
            float[] nr = new float[rows * c.d], nv = new float[rows * hs];
            ref.recur(h, 0, pr, 0, rows, nr, 0);
            vec.recur(hv, 0, pv, 0, rows, nv, 0);
            for (int row = 0; row < rows; row++)
                for (int i = 0; i < c.d; i++) {
                    double mag = Math.abs(pr[row * c.d + i]);
                    for (int j = 0; j < c.d; j++) mag += Math.abs(p.W()[i * c.d + j] * h[row * c.d + j]);
                    double tol = 2 * (c.d + 1) * U * mag + (c.f == Nonlinearity.TANH ? VectorStepKernelTest.TANH_ERR : 0);
                    assertTrue(Math.abs(nv[row * hs + i] - nr[row * c.d + i]) <= tol, c + " recur " + row + "," + i);
                }
        }
    }

    /** A whole stacked stream, chosen kernels and scalar reference, against the double-precision reference: 1e-4 normalized. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void stackedStreamsMatchTheReference(Case c) {
        SplittableRandom r = new SplittableRandom(c.seed);
        int B = 2, T = 6;
        try (ElmanRnn m = RandomModels.stacked(r, c.n, c.d, c.k, c.L, c.f, Output.SOFTMAX, 1.0)) {
            float[] x = RandomModels.normal(r, B * T * c.n), h0 = RandomModels.uniform(r, c.L * B * c.d, 0.5);
            ReferenceBptt.Forward want = ReferenceBptt.of(m).forward(x, B, T, h0);
            for (InferenceModel im : new InferenceModel[] {InferenceModel.of(m), InferenceModel.scalar(m)}) {
                try (im) {
                    assertEquals(c.L, im.layers());
                    InferenceModel.Sequences f = im.forward(x, B, T, h0);
                    assertTrue(Oracle.err(want.o(), f.o()) <= 1e-4, c + " " + im.describe() + " o: " + Oracle.err(want.o(), f.o()));
                    assertTrue(Oracle.err(want.h(), f.h()) <= 1e-4, c + " " + im.describe() + " h: " + Oracle.err(want.h(), f.h()));
                    // every layer's final state, layer-major
                    float[] hN = new float[c.L * B * c.d];
                    for (int l = 0; l < c.L; l++)
                        for (int b = 0; b < B; b++)
                            for (int i = 0; i < c.d; i++) hN[(l * B + b) * c.d + i] = (float) want.layers()[l][(b * T + T - 1) * c.d + i];
                    assertTrue(Oracle.err(f.hN(), hN) <= 1e-4, c + " " + im.describe() + " h_n");
                    // a stream saved after 3 steps and restored into a new one goes on as if never moved
                    StreamState s = im.newStream(), moved = im.newStream();
                    float[] state = new float[im.stateSize()], o = new float[c.k], o2 = new float[c.k];
                    float[] xt = new float[c.n];
                    for (int t = 0; t < 3; t++) {
                        System.arraycopy(x, t * c.n, xt, 0, c.n);
                        s.step(xt, o);
                    }
                    s.saveState(state);
                    moved.restoreState(state);
                    System.arraycopy(x, 3 * c.n, xt, 0, c.n);
                    s.step(xt, o);
                    moved.step(xt, o2);
                    for (int i = 0; i < c.k; i++) assertEquals(Float.floatToRawIntBits(o[i]), Float.floatToRawIntBits(o2[i]), c + " moved stream");
                }
            }
        }
    }

    /** The int8 kernels per layer of a quantized stack, vector against scalar, within the bound of their float sums. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void int8LayersMatchScalar(Case c) {
        SplittableRandom r = new SplittableRandom(c.seed);
        for (Int8Scheme scheme : Int8Scheme.values())
            try (ElmanRnn m = RandomModels.stacked(r, c.n, c.d, c.k, c.L, c.f, Output.IDENTITY, 3.0); QuantizedRnn q = Quantizer.quantize(m, scheme)) {
                for (int l = 0; l < c.L; l++)
                    try (QuantizedRnn layer = q.layer(l); StepKernel ref = Int8Kernels.scalar(layer); StepKernel vec = Int8Kernels.vector(layer)) {
                        int in = layer.n();
                        float[] h = RandomModels.uniform(r, c.d, 1), x = RandomModels.uniform(r, in, 2);
                        float[] want = new float[c.d], got = new float[c.d];
                        ref.step(h, x, want);
                        vec.step(h, x, got);
                        Int8Weights W = layer.weights("W"), Uq = layer.weights("U");
                        float[] a = layer.aValues();
                        for (int i = 0; i < c.d; i++) {
                            double terms = Math.abs(a[i]);
                            for (int j = 0; j < c.d; j++) terms += Math.abs(W.value(i, j) * h[j]);
                            for (int j = 0; j < in; j++) terms += Math.abs(Uq.value(i, j) * x[j]);
                            double tol = 2 * (c.d + in + 3) * U * terms + (c.f == Nonlinearity.TANH ? VectorStepKernelTest.TANH_ERR : 0);
                            assertEquals(want[i], got[i], tol, c + " " + scheme.id() + " layer " + l + " h[" + i + "]");
                        }
                    }
            }
    }
}
