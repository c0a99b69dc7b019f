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
import org.vecrnn.blas.Blas;
import org.vecrnn.blas.VectorSgemm;
import org.vecrnn.kernel.SegmentOps;
import org.vecrnn.train.TrainBench;

/**
 * One training step of the workload (B=64, T=50, n=128, d=256, k=16: forward, backward, SGD update),
 * with OpenBLAS and with the Java GEMM side by side in one run. Score: steps per second (higher is better).
 * PyTorch 1.13 with OpenBLAS on its AVX-512 kernels did 32.2 steps/s (median; 30.7-37.8) in bench/vs-pytorch.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class TrainStepBenchmark {
    @Param({"openblas", "java"})
    String gemm;

    TrainBench bench;

    @Setup(Level.Trial)
    public void setUp() {
        bench = new TrainBench(gemm.equals("java") ? new VectorSgemm() : Blas.get(), SegmentOps.get(), 64, 50, 128, 256, 16);
        if (gemm.equals("openblas") && Blas.openBlas().isEmpty()) throw new IllegalStateException("OpenBLAS not found: " + Blas.get().describe());
    }

    @Benchmark
    public double trainStep() {
        return bench.step();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        bench.close();
    }
}
