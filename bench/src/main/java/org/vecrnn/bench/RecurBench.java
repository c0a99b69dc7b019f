package org.vecrnn.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.vecrnn.kernel.BatchKernel;
import org.vecrnn.kernel.Kernels;
import org.vecrnn.model.ElmanRnn;

/**
 * One step of the batch recurrence alone, {@code H_t = tanh(H_{t-1} Wᵀ + P_t)} for a group of rows (32 is
 * what the batch path runs), through the chosen batch kernel: the GEMM that takes half of BatchBench's time,
 * measured without the projection, the head and the copies around it. Multiply-adds per op: rows × d × d.
 * Not in the default run: {@code bench/run RecurBench} (or {@code bench/alternate} on a jar per variant).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class RecurBench {
    @Param({"32x256", "32x512", "8x256"})
    public String shape;

    private ElmanRnn model;
    private BatchKernel kernel;
    private float[] hPrev, p, hNext;
    private int rows;

    @Setup(Level.Trial)
    public void setUp() {
        String[] s = shape.split("x");
        rows = Integer.parseInt(s[0]);
        int d = Integer.parseInt(s[1]);
        model = BenchModels.model(128, d, 16);
        kernel = Kernels.batchKernel(model);
        if (!Kernels.chosen().startsWith("Vector API"))
            throw new IllegalStateException("the Vector API path is not available: " + Kernels.chosen());
        int hs = kernel.hStride();
        hPrev = pad(BenchModels.uniform(rows * hs, 5), rows, d, hs);
        p = pad(BenchModels.uniform(rows * hs, 6), rows, d, hs);
        hNext = new float[rows * hs];
    }

    /** Rows of hs floats whose padding lanes (past d) are zero, as the kernel requires. */
    private static float[] pad(float[] v, int rows, int d, int hs) {
        for (int r = 0; r < rows; r++) java.util.Arrays.fill(v, r * hs + d, (r + 1) * hs, 0f);
        return v;
    }

    @Benchmark
    public float step() {
        kernel.recur(hPrev, 0, p, 0, rows, hNext, 0);
        float[] t = hPrev;
        hPrev = hNext;
        hNext = t;
        return hPrev[0];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        kernel.close();
        model.close();
    }
}
