package org.vecrnn.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.vecrnn.infer.InferenceModel;
import org.vecrnn.io.Tensor;
import org.vecrnn.model.Nonlinearity;
import org.vecrnn.model.Output;

/**
 * The exported graph runs in ONNX Runtime to vecrnn's outputs (its forward pass on the same file) and to the
 * model's equations in double precision, in both layouts, for L = 1..3, tanh and relu and every output
 * activation; and it imports back to the same weights.
 */
class OnnxExportRuntimeTest {
    @TempDir
    Path tmp;

    static Stream<Arguments> models() {
        List<Arguments> cases = new ArrayList<>();
        long seed = 7100;
        for (int layers = 1; layers <= 3; layers++)
            for (Nonlinearity f : Nonlinearity.values())
                for (Output g : Output.values())
                    for (boolean batchFirst : List.of(false, true)) cases.add(Arguments.of(layers, f, g, batchFirst, seed++));
        return cases.stream();
    }

    @ParameterizedTest(name = "L={0} {1} {2} batchFirst={3} seed={4}")
    @MethodSource("models")
    void onnxRuntimeAgreesAndImportGivesTheWeightsBack(int layers, Nonlinearity f, Output g, boolean batchFirst, long seed) throws OrtException {
        SplittableRandom r = new SplittableRandom(seed);
        int n = 1 + r.nextInt(9), d = 1 + r.nextInt(20), k = 1 + r.nextInt(6), B = 1 + r.nextInt(3), T = 1 + r.nextInt(7);
        System.out.printf("seed %d: n=%d d=%d k=%d B=%d T=%d%n", seed, n, d, k, B, T);
        OnnxExport.Model m = randomModel(r, n, d, k, layers, f, g);
        Path file = tmp.resolve("m.onnx");
        OnnxExport.write(m, file, batchFirst);

        float[] x = uniform(r, B * T * n, 1), h0 = uniform(r, layers * B * d, 0.5);
        Reference ref = Reference.run(m, x, h0, B, T);
        InferenceModel.Sequences vecrnn;
        try (InferenceModel im = InferenceModel.load(file)) {
            vecrnn = im.forward(x, B, T, h0);
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(file.toString(), new OrtSession.SessionOptions());
                var tx = ai.onnxruntime.OnnxTensor.createTensor(env, FloatBuffer.wrap(batchFirst ? x : swap(x, B, T, n)),
                        batchFirst ? new long[] {B, T, n} : new long[] {T, B, n});
                var th = ai.onnxruntime.OnnxTensor.createTensor(env, FloatBuffer.wrap(h0), new long[] {layers, B, d});
                OrtSession.Result out = s.run(Map.of("x", tx, "h0", th))) {
            float[] o = floats(out, "o"), h = floats(out, "h"), hn = floats(out, "h_n");
            if (!batchFirst) {
                o = swap(o, T, B, k);
                h = swap(h, T, B, d);
            }
            assertClose(ref.o, o, "o");
            assertClose(ref.h, h, "h");
            assertClose(ref.hn, hn, "h_n");
            assertClose(doubles(vecrnn.o()), o, "o against vecrnn");
            assertClose(doubles(vecrnn.h()), h, "h against vecrnn");
            assertClose(doubles(vecrnn.hN()), hn, "h_n against vecrnn");
        }

        OnnxImport.Imported back = OnnxImport.read(file);
        assertEquals(Map.of("layers", "" + layers, "nonlinearity", f.id(), "output", g.id()), back.metadata());
        for (Tensor t : back.tensors().values()) assertArrayEquals(expected(m, t.name()), t.floats(), t.name());
    }

    static OnnxExport.Model randomModel(SplittableRandom r, int n, int d, int k, int layers, Nonlinearity f, Output g) {
        double scale = 1 / Math.sqrt(d);
        List<OnnxExport.Layer> ls = new ArrayList<>();
        for (int l = 0; l < layers; l++)
            ls.add(new OnnxExport.Layer(uniform(r, d * (l == 0 ? n : d), scale), uniform(r, d * d, scale), uniform(r, d, scale), uniform(r, d, scale)));
        return new OnnxExport.Model(n, d, k, ls, uniform(r, k * d, scale), uniform(r, k, scale), f, g);
    }

    private static float[] expected(OnnxExport.Model m, String name) {
        if (name.equals("head.weight")) return m.V();
        if (name.equals("head.bias")) return m.b();
        int l = Integer.parseInt(name.substring(name.lastIndexOf("_l") + 2));
        OnnxExport.Layer layer = m.layers().get(l);
        if (name.startsWith("rnn.weight_ih")) return layer.U();
        if (name.startsWith("rnn.weight_hh")) return layer.W();
        return name.startsWith("rnn.bias_ih") ? layer.biasIh() : layer.biasHh();
    }

    private static double[] doubles(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) d[i] = v[i];
        return d;
    }

    static float[] uniform(SplittableRandom r, int count, double scale) {
        float[] v = new float[count];
        for (int i = 0; i < count; i++) v[i] = (float) ((2 * r.nextDouble() - 1) * scale);
        return v;
    }

    /** [P, Q, w] to [Q, P, w]. */
    static float[] swap(float[] a, int P, int Q, int w) {
        float[] t = new float[a.length];
        for (int p = 0; p < P; p++)
            for (int q = 0; q < Q; q++) System.arraycopy(a, (p * Q + q) * w, t, (q * P + p) * w, w);
        return t;
    }

    private static float[] floats(OrtSession.Result out, String name) throws OrtException {
        var t = (ai.onnxruntime.OnnxTensor) out.get(name).orElseThrow();
        FloatBuffer b = t.getFloatBuffer();
        float[] v = new float[b.remaining()];
        b.get(v);
        return v;
    }

    /** max |a - r| / max |r|, at most 1e-5. */
    static void assertClose(double[] want, float[] got, String what) {
        assertEquals(want.length, got.length, what + " length");
        double num = 0, den = 0;
        for (int i = 0; i < want.length; i++) {
            num = Math.max(num, Math.abs(got[i] - want[i]));
            den = Math.max(den, Math.abs(want[i]));
        }
        double err = den == 0 ? num : num / den;
        assertTrue(err <= 1e-5, what + ": relative error " + err);
    }

    /** The model's equations in double precision, batch-first: o [B, T, k], h [B, T, d], h_n [L, B, d]. */
    record Reference(double[] o, double[] h, double[] hn) {
        static Reference run(OnnxExport.Model m, float[] x, float[] h0, int B, int T) {
            int n = m.n(), d = m.d(), k = m.k(), L = m.layers().size();
            double[] o = new double[B * T * k], h = new double[B * T * d], hn = new double[L * B * d];
            for (int b = 0; b < B; b++) {
                double[][] state = new double[L][d];
                for (int l = 0; l < L; l++)
                    for (int i = 0; i < d; i++) state[l][i] = h0[(l * B + b) * d + i];
                for (int t = 0; t < T; t++) {
                    double[] in = new double[n];
                    for (int j = 0; j < n; j++) in[j] = x[(b * T + t) * n + j];
                    for (int l = 0; l < L; l++) {
                        OnnxExport.Layer layer = m.layers().get(l);
                        int cols = in.length;
                        double[] next = new double[d];
                        for (int i = 0; i < d; i++) {
                            double s = layer.biasIh()[i] + layer.biasHh()[i];
                            for (int j = 0; j < cols; j++) s += layer.U()[i * cols + j] * in[j];
                            for (int j = 0; j < d; j++) s += layer.W()[i * d + j] * state[l][j];
                            next[i] = m.nonlinearity().apply(s);
                        }
                        state[l] = next;
                        in = next;
                    }
                    System.arraycopy(in, 0, h, (b * T + t) * d, d);
                    double[] z = new double[k];
                    for (int i = 0; i < k; i++) {
                        double s = m.b()[i];
                        for (int j = 0; j < d; j++) s += m.V()[i * d + j] * in[j];
                        z[i] = s;
                    }
                    double max = Double.NEGATIVE_INFINITY, sum = 0;
                    for (double v : z) max = Math.max(max, v);
                    for (double v : z) sum += Math.exp(v - max);
                    for (int i = 0; i < k; i++)
                        o[(b * T + t) * k + i] = switch (m.output()) {
                            case IDENTITY -> z[i];
                            case SIGMOID -> 1 / (1 + Math.exp(-z[i]));
                            case SOFTMAX -> Math.exp(z[i] - max) / sum;
                        };
                }
                for (int l = 0; l < L; l++) System.arraycopy(state[l], 0, hn, (l * B + b) * d, d);
            }
            return new Reference(o, h, hn);
        }
    }
}
