package org.vecrnn.quant;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.vecrnn.kernel.Int8Kernels;
import org.vecrnn.kernel.StepKernel;
import org.vecrnn.model.ElmanRnn;
import org.vecrnn.model.Output;

/**
 * 1,000 steps of x ~ N(0, 1) from h = 0: the int8 hidden state stays within 5e-2 (max abs) of the fp32 one
 * at every step, and the last 100 steps are no worse than twice the first 100 plus a little (no runaway).
 */
class Int8DriftTest {
    static final double TOL = 5e-2;

    static List<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        long seed = 9100;
        int[][] sizes = {{1, 17, 3}, {19, 65, 5}, {64, 128, 8}, {128, 256, 16}};
        for (int[] s : sizes) for (Int8Scheme scheme : Int8Scheme.values()) out.add(Arguments.of(scheme, s[0], s[1], s[2], seed++));
        return out;
    }

    @ParameterizedTest(name = "{0} n={1} d={2} k={3} seed={4}")
    @MethodSource("cases")
    void hiddenStateStaysClose(Int8Scheme scheme, int n, int d, int k, long seed) {
        try (ElmanRnn fp32 = Int8Models.fp32(n, d, k, Output.SIGMOID, 1, seed); QuantizedRnn q = Quantizer.quantize(fp32, scheme)) {
            StepKernel kr = Int8Kernels.create(q);
            float[] xs = ErrorReport.gaussianInputs(ErrorReport.DRIFT_STEPS, n, seed);
            ErrorReport.Drift drift = ErrorReport.drift(fp32, kr, q.output(), xs, ErrorReport.DRIFT_STEPS);
            System.out.println(scheme.id() + " n=" + n + " d=" + d + " k=" + k + ": " + drift);
            assertTrue(drift.hMax() <= TOL, drift.toString());
            assertTrue(drift.hMaxLast() <= 2 * drift.hMaxFirst() + 1e-3, "runaway: " + drift);
        }
    }
}
