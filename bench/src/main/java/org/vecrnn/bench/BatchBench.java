package org.vecrnn.bench;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
import org.vecrnn.infer.InferenceModel;
import org.vecrnn.kernel.Kernels;
import org.vecrnn.model.ElmanRnn;

/**
 * The batch workload: B=64 sequences of T=100 steps, n=128, d=256, k=16, h and o of every step kept.
 * Time per batch; sequences per second = 64 / (seconds per op). vecrnn: the scalar reference, the path
 * {@code InferenceModel.of} chooses (input projection and head on OpenBLAS through FFM, the recurrence in
 * the Vector API batch kernel) on one thread and on two (a caller-owned pool), and the Vector API kernel alone,
 * as without OpenBLAS ({@code java}, {@code java_2threads}); native: C fused steps sequence by sequence,
 * and OpenBLAS sgemm in C (one product for all input projections, then per step one for the recurrence and
 * one for the head), one thread; oneDNN (libonednn_yard.so, see OneDnn): its vanilla RNN primitive over the
 * whole batch (every h kept), then the head over all B*T rows as one inner product with a logistic post-op,
 * one thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class BatchBench {
    static final int B = 64, T = 100, N = 128, D = 256, K = 16;

    @Param({"scalar", "vecrnn", "vecrnn_2threads", "java", "java_2threads", "c_fused", "openblas_sgemm", "onednn_rnn"})
    public String impl;

    ElmanRnn model;
    InferenceModel im;
    ExecutorService pool;
    float[] x, h, o;
    NativeRnn nat;
    OneDnn dnn;
    MemorySegment nx, nh, no, scratch;

    @Setup(Level.Trial)
    public void setup() {
        model = BenchModels.model(N, D, K);
        x = BenchModels.uniform(B * T * N, 3);
        switch (impl) {
            case "scalar" -> im = InferenceModel.scalar(model);
            case "vecrnn", "vecrnn_2threads", "java", "java_2threads" -> {
                if (!Kernels.chosen().startsWith("Vector API"))
                    throw new IllegalStateException("the Vector API path is not available: " + Kernels.chosen());
                im = impl.startsWith("java") ? InferenceModel.javaKernels(model) : InferenceModel.of(model);
                if (impl.startsWith("vecrnn") && !im.describe().contains("input projection and head on OpenBLAS"))
                    throw new IllegalStateException("OpenBLAS did not load: " + im.describe());
                pool = Executors.newFixedThreadPool(2);
            }
            case "c_fused", "openblas_sgemm" -> {
                nat = new NativeRnn(model);
                nx = nat.floats(x);
                nh = nat.zeros((long) B * T * D);
                no = nat.zeros((long) B * T * K);
                scratch = nat.zeros((long) B * T * D + 3L * B * D + (long) B * K);
                nat.checkBatch(impl, model, x, B, T, nx, nh, no, scratch);
            }
            case "onednn_rnn" -> {
                dnn = new OneDnn(model);
                dnn.batch(B, T);
                nx = dnn.floats(x);
                nh = dnn.zeros((long) B * T * D);
                no = dnn.zeros((long) B * T * K);
                System.err.println("vecrnn bench: " + dnn.describe());
            }
            default -> throw new IllegalArgumentException(impl);
        }
        if (im != null) { // outputs made once, as the native yardsticks' are
            h = new float[B * T * D];
            o = new float[B * T * K];
        }
    }

    @Benchmark
    public Object batch() throws Throwable {
        switch (impl) {
            case "vecrnn_2threads", "java_2threads" -> { im.forward(x, B, T, null, h, o, pool, 2); return o; }
            case "c_fused" -> { NativeRnn.FORWARD_FUSED.invokeExact(nat.model, nx, B, T, nh, no); return no; }
            case "openblas_sgemm" -> { NativeRnn.FORWARD_SGEMM.invokeExact(nat.model, nx, B, T, nh, no, scratch); return no; }
            case "onednn_rnn" -> {
                if ((int) OneDnn.FORWARD_RNN.invokeExact(dnn.model, nx, B, T, nh, no) != 0) throw OneDnn.failure();
                return no;
            }
            default -> { im.forward(x, B, T, null, h, o, Runnable::run, 1); return o; }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (pool != null) pool.close();
        if (im != null) im.close();
        if (nat != null) nat.close();
        if (dnn != null) dnn.close();
        model.close();
    }
}
