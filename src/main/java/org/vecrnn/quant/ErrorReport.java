package org.vecrnn.quant;

import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.vecrnn.kernel.Int8Kernels;
import org.vecrnn.kernel.KernelForward;
import org.vecrnn.kernel.StepKernel;
import org.vecrnn.model.ElmanRnn;
import org.vecrnn.model.Output;
import org.vecrnn.train.ReferenceBptt;

/**
 * How far an int8 model strays from its fp32 original: the error of o_t on given sequences, and the drift
 * of h over one long sequence (errors fed back through W step after step). The fp32 side is the double
 * precision reference, so the figures are the quantization error alone, not float rounding.
 */
public final class ErrorReport {
    /** Steps of the drift run: long enough that a slowly growing error would show. */
    public static final int DRIFT_STEPS = 1000;
    /** The drift run reports the max error over its first and its last window of this many steps. */
    public static final int WINDOW = 100;

    private ErrorReport() {}

    /**
     * The error of the outputs on given sequences.
     *
     * @param B the number of sequences
     * @param T the steps of each
     * @param oMax max |o_int8 - o_fp32| over all B·T·k outputs
     * @param oMean the mean of |o_int8 - o_fp32|
     * @param hMax max |h_int8 - h_fp32| of the last layer
     */
    public record Outputs(int B, int T, double oMax, double oMean, double hMax) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "o on %d sequence(s) x %d step(s): max abs error %.3g, mean abs error %.3g; h max abs error %.3g",
                    B, T, oMax, oMean, hMax);
        }
    }

    /**
     * The drift of h over one long sequence.
     *
     * @param steps the length of the sequence
     * @param hMax max |h_int8 - h_fp32| over all steps
     * @param hMaxFirst the same over the first {@link #WINDOW} steps
     * @param hMaxLast the same over the last {@link #WINDOW} steps: larger than hMaxFirst when errors grow
     * @param oMax max |o_int8 - o_fp32| over all steps
     */
    public record Drift(int steps, double hMax, double hMaxFirst, double hMaxLast, double oMax) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "h drift over %d steps: max abs %.3g (first %d steps %.3g, last %d steps %.3g); o max abs %.3g",
                    steps, hMax, Math.min(WINDOW, steps), hMaxFirst, Math.min(WINDOW, steps), hMaxLast, oMax);
        }
    }

    /**
     * Runs both models over the same sequences, the int8 one on the int8 kernels chosen at start-up.
     *
     * @param fp32 the original model
     * @param int8 its quantized form (the same sizes and layers)
     * @param x the inputs [B,T,n]
     * @param B the number of sequences
     * @param T the steps of each sequence
     * @param h0 every layer's initial state [L,B,d]
     * @return the largest and mean output error and the largest error of the last layer's h
     * @throws IllegalArgumentException when the two models or the arrays disagree in size
     */
    public static Outputs outputs(ElmanRnn fp32, QuantizedRnn int8, float[] x, int B, int T, float[] h0) {
        List<StepKernel> kernels = Int8Kernels.layers(int8);
        try {
            return outputs(fp32, kernels, int8.output(), x, B, T, h0);
        } finally {
            kernels.forEach(StepKernel::close);
        }
    }

    /** Runs both models over x [B,T,n] from h0 [B,d]; {@code int8} is a kernel over the quantized model. */
    static Outputs outputs(ElmanRnn fp32, StepKernel int8, Output g, float[] x, int B, int T, float[] h0) {
        return outputs(fp32, List.of(int8), g, x, B, T, h0);
    }

    /** The same for a stack: one int8 kernel per layer, h0 [L,B,d]; h is compared on the last layer. */
    static Outputs outputs(ElmanRnn fp32, List<? extends StepKernel> int8, Output g, float[] x, int B, int T, float[] h0) {
        check(fp32, int8);
        ReferenceBptt.Forward ref = ReferenceBptt.of(fp32).forward(x, B, T, h0);
        KernelForward.Result mine = KernelForward.run(int8, g, x, B, T, h0);
        double oMax = 0, oSum = 0, hMax = 0;
        for (int i = 0; i < mine.h().length; i++) hMax = Math.max(hMax, Math.abs(mine.h()[i] - ref.h()[i]));
        for (int i = 0; i < mine.o().length; i++) {
            double e = Math.abs(mine.o()[i] - ref.o()[i]);
            oMax = Math.max(oMax, e);
            oSum += e;
        }
        return new Outputs(B, T, oMax, oSum / mine.o().length, hMax);
    }

    /**
     * Runs both models over one long sequence from h = 0, the int8 one on the int8 kernels chosen at start-up.
     *
     * @param fp32 the original model
     * @param int8 its quantized form (the same sizes and layers)
     * @param xs the inputs [steps, n], e.g. from {@link #gaussianInputs} or {@link #cycledInputs}
     * @param steps the length of the sequence, at least 1
     * @return how far the last layer's h strayed, overall and in the first and last {@link #WINDOW} steps
     * @throws IllegalArgumentException when the two models or {@code xs} disagree in size
     */
    public static Drift drift(ElmanRnn fp32, QuantizedRnn int8, float[] xs, int steps) {
        List<StepKernel> kernels = Int8Kernels.layers(int8);
        try {
            return drift(fp32, kernels, int8.output(), xs, steps);
        } finally {
            kernels.forEach(StepKernel::close);
        }
    }

    /** One sequence of {@code steps} inputs xs [steps, n] from h = 0. */
    static Drift drift(ElmanRnn fp32, StepKernel int8, Output g, float[] xs, int steps) {
        return drift(fp32, List.of(int8), g, xs, steps);
    }

    /** The same for a stack, one int8 kernel per layer; the drift is that of the last layer's h. */
    static Drift drift(ElmanRnn fp32, List<? extends StepKernel> int8, Output g, float[] xs, int steps) {
        check(fp32, int8);
        int n = fp32.n(), d = fp32.d(), k = fp32.k();
        if (steps < 1 || xs.length != (long) steps * n) throw new IllegalArgumentException(xs.length + " inputs for " + steps + " steps of n=" + n);
        float[] h0 = new float[fp32.layers() * d];
        ReferenceBptt.Forward ref = ReferenceBptt.of(fp32).forward(xs, 1, steps, h0);
        KernelForward.Result mine = KernelForward.run(int8, g, xs, 1, steps, h0);
        double max = 0, first = 0, last = 0, oMax = 0;
        for (int t = 0; t < steps; t++) {
            double e = 0;
            for (int i = t * d; i < (t + 1) * d; i++) e = Math.max(e, Math.abs(mine.h()[i] - ref.h()[i]));
            for (int i = t * k; i < (t + 1) * k; i++) oMax = Math.max(oMax, Math.abs(mine.o()[i] - ref.o()[i]));
            max = Math.max(max, e);
            if (t < WINDOW) first = Math.max(first, e);
            if (t >= steps - WINDOW) last = Math.max(last, e);
        }
        return new Drift(steps, max, first, last, oMax);
    }

    /**
     * {@return xs [steps, n], each value drawn from N(0, 1)}
     *
     * @param steps the number of inputs
     * @param n the size of each
     * @param seed the same seed gives the same inputs
     */
    public static float[] gaussianInputs(int steps, int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] xs = new float[steps * n];
        for (int i = 0; i < xs.length; i++) xs[i] = (float) gaussian(r);
        return xs;
    }

    /**
     * {@return xs [steps, n]: the sequences one after another, repeated as often as needed}
     *
     * @param x sequences [B,T,n]
     * @param steps the number of inputs wanted
     * @param n the size of each
     */
    public static float[] cycledInputs(float[] x, int steps, int n) {
        float[] xs = new float[steps * n];
        for (int i = 0; i < xs.length; i++) xs[i] = x[i % x.length];
        return xs;
    }

    static double gaussian(SplittableRandom r) {
        double u = r.nextDouble(), v = r.nextDouble();
        return Math.sqrt(-2 * Math.log1p(-u)) * Math.cos(2 * Math.PI * v);
    }

    private static void check(ElmanRnn fp32, List<? extends StepKernel> int8) {
        StepKernel first = int8.get(0);
        if (fp32.n() != first.n() || fp32.d() != first.d() || fp32.k() != first.k() || fp32.layers() != int8.size())
            throw new IllegalArgumentException("the int8 model (n=" + first.n() + " d=" + first.d() + " k=" + first.k() + ", " + int8.size()
                    + " layers) is not the same size as the fp32 one (n=" + fp32.n() + " d=" + fp32.d() + " k=" + fp32.k() + ", " + fp32.layers() + " layers)");
    }
}
