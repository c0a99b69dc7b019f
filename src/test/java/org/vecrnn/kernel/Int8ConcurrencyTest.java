package org.vecrnn.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.vecrnn.model.ElmanRnn;
import org.vecrnn.model.Output;
import org.vecrnn.quant.ErrorReport;
import org.vecrnn.quant.Int8Models;
import org.vecrnn.quant.Int8Scheme;
import org.vecrnn.quant.QuantizedRnn;
import org.vecrnn.quant.Quantizer;

/**
 * One int8 model and one kernel shared by four threads, each with its own state: the same outputs as one
 * thread, bit for bit (the int8 kernel sums its lanes in a fixed order and uses the rational tanh, so every
 * JIT tier gives the same bits).
 */
class Int8ConcurrencyTest {
    @Test
    void sharedModelAndKernelGiveTheSameOutputsOnEveryThread() throws Exception {
        int n = 19, d = 65, k = 5, T = 300;
        try (ElmanRnn fp32 = Int8Models.fp32(n, d, k, Output.SOFTMAX, 1, 77); QuantizedRnn m = Quantizer.quantize(fp32, Int8Scheme.BLOCK32);
             StepKernel kernel = Int8Kernels.create(m)) {
            List<float[]> inputs = new ArrayList<>();
            for (int s = 0; s < 4; s++) inputs.add(ErrorReport.gaussianInputs(T, n, 100 + s));
            List<float[]> alone = new ArrayList<>();
            for (float[] x : inputs) alone.add(KernelForward.run(kernel, m.output(), x, 1, T, new float[d]).o());
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                for (int round = 0; round < 5; round++) {
                    List<Future<float[]>> futures = new ArrayList<>();
                    for (float[] x : inputs) futures.add(pool.submit(() -> KernelForward.run(kernel, m.output(), x, 1, T, new float[d]).o()));
                    for (int s = 0; s < 4; s++) assertArrayEquals(alone.get(s), futures.get(s).get(), "sequence " + s + " round " + round);
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
