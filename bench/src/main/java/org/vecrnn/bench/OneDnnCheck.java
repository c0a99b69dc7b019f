package org.vecrnn.bench;

import java.lang.foreign.MemorySegment;
import org.vecrnn.infer.InferenceModel;
import org.vecrnn.model.ElmanRnn;

/**
 * Checks the oneDNN yardsticks against vecrnn's fp32 scalar reference on the benchmarks' own models and
 * inputs before anyone reads their times: every h and o of 64 stream steps at each StreamBench size (both
 * onednn_ip and onednn_rnn), and every h and o of the BatchBench batch. Max abs diff must stay below 1e-4
 * (float rounding over sums of at most d + n = 1536 terms of size ~1/sqrt(d), through tanh and sigmoid).
 * bench/run runs it when the library is built; exit 1 on a mismatch, 2 when the library is missing.
 *
 *   java --enable-native-access=ALL-UNNAMED -Dvecrnn.onednn=native/build/libonednn_yard.so \
 *        -cp bench/target/benchmarks.jar org.vecrnn.bench.OneDnnCheck
 */
public final class OneDnnCheck {
    static final double TOLERANCE = 1e-4;
    static final int STEPS = 64;

    private OneDnnCheck() {}

    public static void main(String[] args) throws Throwable {
        if (OneDnn.MISSING != null) {
            System.err.println("vecrnn OneDnnCheck: " + OneDnn.MISSING);
            System.exit(2);
        }
        double worst = 0;
        for (String size : new String[] {"64x128x8", "128x256x16", "256x512x32", "512x1024x64"}) {
            int[] s = BenchModels.sizes(size);
            try (ElmanRnn model = BenchModels.model(s[0], s[1], s[2]); OneDnn dnn = new OneDnn(model)) {
                double ip = stream(model, dnn, true, s), rnn = stream(model, dnn, false, s);
                System.out.printf("stream %s, %d steps: max |h - ref|, |o - ref|: onednn_ip %.3g, onednn_rnn %.3g%n", size, STEPS, ip, rnn);
                worst = Math.max(worst, Math.max(ip, rnn));
            }
        }
        int B = BatchBench.B, T = BatchBench.T;
        try (ElmanRnn model = BenchModels.model(BatchBench.N, BatchBench.D, BatchBench.K); InferenceModel ref = InferenceModel.scalar(model);
                OneDnn dnn = new OneDnn(model)) {
            dnn.batch(B, T);
            System.out.println(dnn.describe());
            float[] x = BenchModels.uniform(B * T * BatchBench.N, 3);
            InferenceModel.Sequences want = ref.forward(x, B, T, null);
            MemorySegment nh = dnn.zeros(want.h().length), no = dnn.zeros(want.o().length);
            if ((int) OneDnn.FORWARD_RNN.invokeExact(dnn.model, dnn.floats(x), B, T, nh, no) != 0) throw OneDnn.failure();
            double dh = NativeYardstick.maxDiff(want.h(), nh), dO = NativeYardstick.maxDiff(want.o(), no);
            System.out.printf("batch B=%d T=%d %dx%dx%d: onednn_rnn max |h - ref| %.3g, max |o - ref| %.3g%n", B, T,
                    BatchBench.N, BatchBench.D, BatchBench.K, dh, dO);
            worst = Math.max(worst, Math.max(dh, dO));
        }
        boolean ok = worst < TOLERANCE;
        System.out.printf("oneDNN against the scalar reference: max abs diff %.3g, %s (tolerance %.0e)%n", worst, ok ? "OK" : "MISMATCH", TOLERANCE);
        if (!ok) System.exit(1);
    }

    /** STEPS steps from h = 0 on StreamBench's inputs; the largest difference in any h or o. */
    static double stream(ElmanRnn model, OneDnn dnn, boolean ip, int[] s) throws Throwable {
        try (InferenceModel ref = InferenceModel.scalar(model)) {
            return dnn.streamDiff(ref, BenchModels.inputs(s[0], STEPS), (h, x, hNext, o) -> {
                int rc = ip ? (int) OneDnn.STEP_IP.invokeExact(dnn.model, h, x, hNext, o)
                        : (int) OneDnn.STEP_RNN.invokeExact(dnn.model, h, x, hNext, o);
                if (rc != 0) throw OneDnn.failure();
            });
        }
    }
}
