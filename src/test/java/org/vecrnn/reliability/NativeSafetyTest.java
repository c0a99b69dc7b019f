package org.vecrnn.reliability;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.vecrnn.RandomModels;
import org.vecrnn.infer.InferenceModel;
import org.vecrnn.infer.KernelModels;
import org.vecrnn.infer.StreamState;
import org.vecrnn.kernel.Int8Kernels;
import org.vecrnn.kernel.Kernels;
import org.vecrnn.kernel.StepKernel;
import org.vecrnn.model.ElmanRnn;
import org.vecrnn.model.Output;
import org.vecrnn.quant.Int8Scheme;
import org.vecrnn.quant.QuantizedRnn;
import org.vecrnn.quant.Quantizer;

/**
 * Wrong sizes and closed objects through the public APIs that end in FFM memory or Vector API code: each is
 * a clear IllegalArgumentException (sizes) or IllegalStateException (closed), thrown before any vector or
 * native access, never a JVM crash or a silent wrong answer. The GEMM API (the one path into OpenBLAS) has
 * the same test in {@code blas/SgemmTest#refusesBadArgumentsBeforeAnyWork}, including closed memory.
 * Sizes n=17, d=33, k=5: d is no multiple of any vector length, so the masked tails are in play.
 */
class NativeSafetyTest {
    static final int N = 17, D = 33, K = 5;

    /** Every step kernel family: fp32 scalar and Vector API, int8 (both schemes) scalar and Vector API. */
    static Stream<Arguments> kernels() {
        List<Arguments> out = new ArrayList<>();
        out.add(Arguments.of("fp32 chosen (" + Kernels.chosen() + ")", (Function<ElmanRnn, StepKernel>) Kernels::stepKernel));
        out.add(Arguments.of("fp32 scalar", (Function<ElmanRnn, StepKernel>) Kernels::scalarStepKernel));
        for (Int8Scheme s : Int8Scheme.values()) {
            out.add(Arguments.of(s.id() + " scalar", (Function<ElmanRnn, StepKernel>) m -> Int8Kernels.scalar(Quantizer.quantize(m, s))));
            out.add(Arguments.of(s.id() + " vector", (Function<ElmanRnn, StepKernel>) m -> Int8Kernels.vector(Quantizer.quantize(m, s))));
        }
        return out.stream();
    }

    static ElmanRnn model() {
        return RandomModels.model(N, D, K, Output.SOFTMAX, 1, 8);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kernels")
    void stepKernelRefusesShortArrays(String name, Function<ElmanRnn, StepKernel> make) {
        try (ElmanRnn m = model(); StepKernel kr = make.apply(m)) {
            float[] h = new float[D], x = new float[N], next = new float[D], z = new float[K], p = new float[D];
            kr.step(h, x, next); // the right sizes run
            kr.head(next, z);
            kr.stepProjected(h, p, 0, next);
            iae(() -> kr.step(new float[D - 1], x, next), "short h");
            iae(() -> kr.step(h, new float[N - 1], next), "short x");
            iae(() -> kr.step(h, x, new float[D - 1]), "short hNext");
            iae(() -> kr.step(h, x, h), "hNext aliasing h");
            iae(() -> kr.step(null, x, next), "null h");
            iae(() -> kr.head(new float[D - 1], z), "short h for head");
            iae(() -> kr.head(h, new float[K - 1]), "short z");
            iae(() -> kr.head(h, new float[0]), "empty z");
            iae(() -> kr.stepProjected(h, p, 1, next), "p too short at offset 1");
            iae(() -> kr.stepProjected(h, p, -1, next), "negative offset");
            iae(() -> kr.stepProjected(h, new float[D - 1], 0, next), "short p");
            iae(() -> kr.stepProjected(h, p, Integer.MAX_VALUE, next), "offset past any array");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kernels")
    void closedKernelIsAClearError(String name, Function<ElmanRnn, StepKernel> make) {
        try (ElmanRnn m = model()) {
            StepKernel kr = make.apply(m);
            InferenceModel im = KernelModels.of(kr, Output.SOFTMAX);
            StreamState s = im.newStream();
            float[] o = new float[K];
            s.step(new float[N], o);
            im.close();
            im.close(); // twice is harmless
            ise(() -> s.step(new float[N], o), "stream step after close");
            ise(() -> kr.step(new float[D], new float[N], new float[D]), "kernel step after close");
            ise(() -> kr.head(new float[D], new float[K]), "kernel head after close");
            ise(() -> kr.stepProjected(new float[D], new float[D], 0, new float[D]), "kernel stepProjected after close");
            ise(() -> im.forward(new float[2 * 3 * N], 2, 3, null), "forward after close");
        }
    }

    @Test
    void closedBatchKernelsAreAClearError() {
        try (ElmanRnn m = model()) {
            for (InferenceModel im : List.of(InferenceModel.of(m), InferenceModel.scalar(m))) {
                im.close();
                ise(() -> im.forward(new float[2 * 3 * N], 2, 3, null), im.describe() + ": forward after close");
            }
        }
    }

    @Test
    void closedInt8ModelUnderABorrowingKernelIsAClearError() {
        try (ElmanRnn m = model()) {
            QuantizedRnn q = Quantizer.quantize(m, Int8Scheme.ROW);
            StepKernel kr = Int8Kernels.create(q); // borrows q
            q.close();
            ise(() -> kr.step(new float[D], new float[N], new float[D]), "step over a closed model");
            ise(() -> kr.head(new float[D], new float[K]), "head over a closed model");
            kr.close();
        }
    }

    @Test
    void streamStateRefusesWrongSizes() {
        for (InferenceModel im : models()) {
            try (im) {
                StreamState s = im.newStream();
                float[] o = new float[K];
                iae(() -> s.step(new float[N - 1], o), im.describe() + ": short x");
                iae(() -> s.step(new float[N + 1], o), im.describe() + ": long x");
                iae(() -> s.step(new float[N], new float[K - 1]), im.describe() + ": short out");
                iae(() -> s.saveState(new float[D - 1]), im.describe() + ": short save");
                iae(() -> s.restoreState(new float[D + 1]), im.describe() + ": long restore");
                float[] nan = new float[D];
                nan[D - 1] = Float.NaN;
                iae(() -> s.restoreState(nan), im.describe() + ": NaN state");
                s.step(new float[N], o); // still usable
            }
        }
    }

    @Test
    void forwardRefusesWrongSizes() {
        for (InferenceModel im : models()) {
            try (im) {
                int B = 2, T = 3;
                float[] x = new float[B * T * N];
                im.forward(x, B, T, new float[B * D]);
                iae(() -> im.forward(new float[B * T * N - 1], B, T, null), im.describe() + ": short x");
                iae(() -> im.forward(new float[B * T * N + 1], B, T, null), im.describe() + ": long x");
                iae(() -> im.forward(x, B, T, new float[B * D - 1]), im.describe() + ": short h0");
                iae(() -> im.forward(x, B, T, new float[B * D + 1]), im.describe() + ": long h0");
                iae(() -> im.forward(x, 0, T, null), im.describe() + ": B=0");
                iae(() -> im.forward(x, B, -T, null), im.describe() + ": negative T");
                iae(() -> im.forward(x, 1 << 16, 1 << 16, null), im.describe() + ": B*T*n overflows int");
                iae(() -> im.forward(x, -B, -T, null), im.describe() + ": B*T positive from two negatives");
            }
        }
    }

    /** The fp32 model with its batch kernel, the fp32 scalar one, and an int8 one (stepwise forward). */
    private static List<InferenceModel> models() {
        try (ElmanRnn m = model()) {
            return List.of(InferenceModel.of(m), InferenceModel.scalar(m),
                    KernelModels.of(Int8Kernels.owning(Quantizer.quantize(m, Int8Scheme.BLOCK32)), Output.SOFTMAX));
        }
    }

    private static void iae(Executable e, String what) {
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class, e, what);
        assertTrue(x.getMessage() != null && !x.getMessage().isBlank(), what + ": no message");
    }

    private static void ise(Executable e, String what) {
        IllegalStateException x = assertThrows(IllegalStateException.class, e, what);
        assertTrue(x.getMessage() != null && x.getMessage().contains("closed"), what + ": unclear message: " + x.getMessage());
    }
}
