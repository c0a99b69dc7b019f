package org.vecrnn.train;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.vecrnn.Oracle;
import org.vecrnn.blas.Blas;
import org.vecrnn.blas.OpenBlas;
import org.vecrnn.blas.Sgemm;
import org.vecrnn.blas.VectorSgemm;
import org.vecrnn.io.ModelFile;
import org.vecrnn.io.SafeTensors;
import org.vecrnn.kernel.SegmentOps;
import org.vecrnn.model.ElmanRnn;
import org.vecrnn.model.Loss;
import org.vecrnn.model.Output;
import org.vecrnn.model.Parameters;
import org.vecrnn.model.Topology;

/** Batched BPTT (OpenBLAS and the Java GEMM) against the PyTorch oracle and against {@link ReferenceBptt}. */
class BatchedBpttTest {
    static final double TOL = 1e-4;

    static Sgemm gemm(String name) {
        if (name.equals("java")) return new VectorSgemm();
        try {
            return OpenBlas.load(Blas.SYSTEM_LIBRARY);
        } catch (RuntimeException e) {
            assumeTrue(false, "libopenblas.so.0 not installed: " + e.getMessage());
            return null;
        }
    }

    static Stream<Arguments> oracleCases() {
        List<Arguments> out = new ArrayList<>();
        for (Path p : Oracle.cases()) for (String g : List.of("openblas", "java")) out.add(Arguments.of(g, p.getFileName().toString()));
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("oracleCases")
    void matchesPyTorchOracle(String gemmName, String file) {
        Path path = Oracle.dir().resolve(file);
        try (SafeTensors st = SafeTensors.open(path); ElmanRnn m = ModelFile.load(path)) {
            Oracle.Case c = Oracle.Case.read(st);
            BatchedGradients r = BatchedGradients.compute(gemm(gemmName), SegmentOps.get(), m, c.x(), c.B(), c.T(), c.h0(), c.y(), c.topology(), c.loss());
            matchesCase(st, file, r, 1);
        }
    }

    /** The loss, h, z, o and every gradient of {@code r} against a PyTorch case of {@code layers} layers (PyTorch's names). */
    static void matchesCase(SafeTensors st, String file, BatchedGradients r, int layers) {
        Map<String, float[]> mine = new LinkedHashMap<>();
        mine.put("h", r.h());
        mine.put("z", r.z());
        mine.put("o", r.o());
        mine.put("grad.head.weight", r.grads().V());
        mine.put("grad.head.bias", r.grads().b());
        mine.put("grad.h0", r.dh0());
        mine.put("grad.x", r.dx());
        for (int l = 0; l < layers; l++) {
            mine.put("grad.rnn.weight_ih_l" + l, r.grads().U(l));
            mine.put("grad.rnn.weight_hh_l" + l, r.grads().W(l));
            mine.put("grad.rnn.bias_ih_l" + l, r.grads().a(l)); // both biases have the gradient of their sum a_l
            mine.put("grad.rnn.bias_hh_l" + l, r.grads().a(l));
        }
        for (var e : mine.entrySet()) {
            double err = Oracle.err(e.getValue(), st.get(e.getKey()).floats());
            assertTrue(err <= TOL, file + " " + e.getKey() + ": normalized error " + err);
        }
        float want = st.get("loss").floats()[0];
        assertTrue(Math.abs(r.loss() - want) / Math.abs(want) <= TOL, file + " loss " + r.loss() + " want " + want);
    }

    static final int[] SIZES = {1, 3, 15, 16, 17, 33, 65};

    static Stream<Arguments> randomCases() {
        List<Arguments> out = new ArrayList<>();
        Random r = new Random(5);
        for (String g : List.of("openblas", "java")) for (int i = 0; i < 16; i++) out.add(Arguments.of(g, r.nextLong()));
        return out.stream();
    }

    @ParameterizedTest(name = "{0} seed={1}")
    @MethodSource("randomCases")
    void matchesReferenceOnRandomSizes(String gemmName, long seed) {
        Random r = new Random(seed);
        int n = SIZES[r.nextInt(SIZES.length)], d = SIZES[r.nextInt(SIZES.length)], k = SIZES[r.nextInt(4)];
        int B = 1 + r.nextInt(9), T = 1 + r.nextInt(12);
        Topology top = Topology.values()[r.nextInt(3)];
        Object[][] pairs = {{Output.IDENTITY, Loss.MSE}, {Output.SIGMOID, Loss.MSE}, {Output.SIGMOID, Loss.CE}, {Output.SOFTMAX, Loss.CE}, {Output.SOFTMAX, Loss.MSE}};
        Object[] pair = pairs[r.nextInt(pairs.length)];
        Output g = (Output) pair[0];
        Loss loss = (Loss) pair[1];
        float scale = (float) (1 / Math.sqrt(d));
        Parameters p = new Parameters(rand(r, d * n, scale), rand(r, d * d, scale), rand(r, d, scale), rand(r, k * d, scale), rand(r, k, scale));
        float[] x = rand(r, B * T * n, 1), h0 = r.nextBoolean() ? null : rand(r, B * d, 1);
        if (top == Topology.ONE_TO_MANY) for (int s = 0; s < B; s++) for (int i = n; i < T * n; i++) x[s * T * n + i] = 0;
        int ySize = top == Topology.MANY_TO_ONE ? B * k : B * T * k;
        float[] y = new float[ySize];
        for (int i = 0; i < ySize; i += k) {
            if (loss == Loss.CE && g == Output.SOFTMAX) y[i + r.nextInt(k)] = 1;
            else for (int j = 0; j < k; j++) y[i + j] = loss == Loss.CE ? r.nextFloat() : (float) r.nextGaussian();
        }
        // half the many-to-many and one-to-many cases have burn-in steps without a target (truncated BPTT)
        int from = top == Topology.MANY_TO_ONE || r.nextBoolean() ? 0 : r.nextInt(T);
        try (ElmanRnn m = ElmanRnn.of(n, d, k, g, p)) {
            BatchedGradients fast = BatchedGradients.compute(gemm(gemmName), SegmentOps.get(), m, x, B, T, h0, y, top, loss, from);
            ReferenceBptt.Gradients ref = ReferenceBptt.of(m).gradients(x, B, T, h0, y, top, loss, from);
            matchesReference("n=" + n + " d=" + d + " k=" + k + " B=" + B + " T=" + T + " from=" + from + " " + top.id() + " " + g.id() + "+" + loss.id() + " ",
                    fast, ref);
        }
    }

    /** h (the last layer), o, the loss and every gradient of the batched pass against the double-precision reference. */
    static void matchesReference(String what, BatchedGradients fast, ReferenceBptt.Gradients ref) {
        check(what + "h", fast.h(), ref.forward().h());
        check(what + "o", fast.o(), ref.forward().o());
        float[][] mine = fast.grads().all();
        double[][] want = ref.all();
        String[] names = fast.grads().names();
        assertTrue(mine.length == want.length, what + ": " + mine.length + " gradients, the reference has " + want.length);
        for (int i = 0; i < names.length; i++) check(what + "d" + names[i], mine[i], want[i]);
        check(what + "dh0", fast.dh0(), ref.dh0());
        check(what + "dx", fast.dx(), ref.dx());
        assertTrue(Math.abs(fast.loss() - ref.loss()) <= TOL * Math.abs(ref.loss()) + 1e-12, what + "loss " + fast.loss() + " vs " + ref.loss());
    }

    static void check(String what, float[] mine, double[] ref) {
        double err = Oracle.err(ReferenceBptt.wide(mine), ReferenceBptt.narrow(ref));
        assertTrue(err <= TOL, what + ": normalized error " + err);
    }

    static float[] rand(Random r, int size, float scale) {
        float[] v = new float[size];
        for (int i = 0; i < size; i++) v[i] = (float) (r.nextGaussian() * scale);
        return v;
    }

    @Test
    void refusesMismatchedShapes() {
        Sgemm g = new VectorSgemm();
        try (ParamBuffers w = new ParamBuffers(3, 5, 2); BatchedBptt bptt = new BatchedBptt(g, SegmentOps.get(), 3, 5, 2, Output.SIGMOID);
             Batch wrongN = new Batch(2, 4, 4, 5, 2, Topology.MANY_TO_MANY); Batch ok = new Batch(2, 4, 3, 5, 2, Topology.MANY_TO_MANY);
             ParamBuffers wrongGrads = new ParamBuffers(3, 6, 2)) {
            assertThrows(IllegalArgumentException.class, () -> bptt.forward(w, wrongN));
            assertThrows(IllegalArgumentException.class, () -> bptt.lossAndGradients(w, ok, Loss.MSE, wrongGrads, null, null));
            assertThrows(IllegalArgumentException.class, () -> new Batch(0, 4, 3, 5, 2, Topology.MANY_TO_MANY));
            assertThrows(IllegalArgumentException.class, () -> new Batch(2, 4, 3, 5, 2, Topology.MANY_TO_ONE).targetFrom(1));
            assertThrows(IllegalArgumentException.class, () -> ok.fill(new float[7], null, null));
            assertThrows(IllegalArgumentException.class, () -> ok.targetFrom(4));
            assertThrows(IllegalArgumentException.class, () -> new ParamBuffers(0, 5, 2));
            try (var arena = java.lang.foreign.Arena.ofConfined()) {
                var small = arena.allocate(4);
                assertThrows(IllegalArgumentException.class, () -> bptt.lossAndGradients(w, ok, Loss.MSE, null, small, null));
            }
            try (BatchedBptt id = new BatchedBptt(g, SegmentOps.get(), 3, 5, 2, Output.IDENTITY)) {
                assertThrows(IllegalArgumentException.class, () -> id.lossAndGradients(w, ok, Loss.CE, null, null, null));
            }
        }
    }
}
