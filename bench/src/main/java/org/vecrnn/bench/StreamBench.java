package org.vecrnn.bench;

import java.lang.foreign.MemorySegment;
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
import org.openjdk.jmh.infra.Blackhole;
import org.vecrnn.infer.InferenceModel;
import org.vecrnn.infer.StreamState;
import org.vecrnn.kernel.Kernels;
import org.vecrnn.model.ElmanRnn;
import org.vecrnn.quant.Int8Scheme;
import org.vecrnn.quant.QuantizedRnn;
import org.vecrnn.quant.Quantizer;

/**
 * The stream workload: one time step with the head and g (sigmoid), o_t into the caller's array, on one
 * stream, for the scalar reference, the Vector API path (the width the JVM prefers, 512-bit here; see
 * StreamBench256), the C fused step (rows of [W | U] as dot products), the C column step (the Vector API
 * kernel's packed column layout, GCC vector code), the OpenBLAS sgemv step, and oneDNN's (libonednn_yard.so, see OneDnn):
 * {@code onednn_ip}, one inner product on [W | U] with a tanh post-op then the head as an inner product with a
 * logistic post-op, and {@code onednn_rnn}, the vanilla RNN primitive for T = 1, B = 1 then the same head.
 * Beside them the same model quantized to int8-row: {@code int8}, vecrnn's int8 kernel (Vector API), and
 * {@code c_int8_column}, the C int8 column step (NativeInt8Rnn), its native bound. {@code onnxruntime}: ONNX
 * Runtime's Java API on the same step as an ONNX model (OnnxRuntimeRnn).
 * {@code -prof gc} shows bytes per step.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class StreamBench {
    @Param({"64x128x8", "128x256x16", "256x512x32", "512x1024x64"})
    public String size;

    @Param({"scalar", "vector", "c_fused", "c_column", "openblas_sgemv", "onednn_ip", "onednn_rnn", "onnxruntime", "int8", "c_int8_column"})
    public String impl;

    static final int INPUTS = 64;

    ElmanRnn model;
    InferenceModel im;
    StreamState stream;
    float[][] xs;
    float[] o;
    NativeRnn nat;
    QuantizedRnn quantized;
    NativeInt8Rnn nat8;
    OneDnn dnn;
    OnnxRuntimeRnn ort;
    boolean dnnIp;
    MemorySegment nh, nhNext, no;
    MemorySegment[] nxs;
    int t;

    @Setup(Level.Trial)
    public void setup() {
        int[] s = BenchModels.sizes(size);
        model = BenchModels.model(s[0], s[1], s[2]);
        xs = BenchModels.inputs(s[0], INPUTS);
        o = new float[s[2]];
        switch (impl) {
            case "scalar" -> im = InferenceModel.scalar(model);
            case "vector" -> {
                im = InferenceModel.of(model);
                if (!Kernels.chosen().startsWith("Vector API"))
                    throw new IllegalStateException("the Vector API path is not available: " + Kernels.chosen());
            }
            case "c_fused", "c_column", "openblas_sgemv" -> {
                nat = new NativeRnn(model);
                nat.check(impl, model, xs);
                nh = nat.zeros(s[1]);
                nhNext = nat.zeros(s[1]);
                no = nat.zeros(s[2]);
                nxs = new MemorySegment[INPUTS];
                for (int i = 0; i < INPUTS; i++) nxs[i] = nat.floats(xs[i]);
            }
            case "int8" -> {
                quantized = Quantizer.quantize(model, Int8Scheme.ROW);
                im = InferenceModel.of(quantized);
                if (!im.describe().contains("Vector API"))
                    throw new IllegalStateException("the int8 Vector API kernel is not available: " + im.describe());
            }
            case "c_int8_column" -> {
                quantized = Quantizer.quantize(model, Int8Scheme.ROW);
                nat8 = new NativeInt8Rnn(quantized);
                nat8.check(quantized, xs);
                nh = nat8.zeros(s[1]);
                nhNext = nat8.zeros(s[1]);
                no = nat8.zeros(s[2]);
                nxs = new MemorySegment[INPUTS];
                for (int i = 0; i < INPUTS; i++) nxs[i] = nat8.floats(xs[i]);
            }
            case "onednn_ip", "onednn_rnn" -> {
                dnn = new OneDnn(model);
                dnnIp = impl.equals("onednn_ip");
                nh = dnn.zeros(s[1]);
                nhNext = dnn.zeros(s[1]);
                no = dnn.zeros(s[2]);
                nxs = new MemorySegment[INPUTS];
                for (int i = 0; i < INPUTS; i++) nxs[i] = dnn.floats(xs[i]);
                System.err.println("vecrnn bench: " + dnn.describe());
            }
            case "onnxruntime" -> {
                try {
                    ort = new OnnxRuntimeRnn(model);
                    ort.check(model, xs);
                } catch (ai.onnxruntime.OrtException e) {
                    throw new IllegalStateException(e);
                }
                System.err.println("vecrnn bench: " + ort.describe());
            }
            default -> throw new IllegalArgumentException(impl);
        }
        if (im != null) stream = im.newStream();
    }

    @Benchmark
    public void step(Blackhole bh) throws Throwable {
        int i = t++ & (INPUTS - 1);
        if (stream != null) {
            stream.step(xs[i], o);
            bh.consume(o);
        } else if (ort != null) {
            ort.step(xs[i], o);
            bh.consume(o);
        } else if (dnn != null) {
            int rc = dnnIp ? (int) OneDnn.STEP_IP.invokeExact(dnn.model, nh, nxs[i], nhNext, no)
                    : (int) OneDnn.STEP_RNN.invokeExact(dnn.model, nh, nxs[i], nhNext, no);
            if (rc != 0) throw OneDnn.failure();
            MemorySegment tmp = nh;
            nh = nhNext;
            nhNext = tmp;
            bh.consume(no);
        } else {
            switch (impl) {
                case "c_int8_column" -> NativeInt8Rnn.STEP.invokeExact(nat8.model, nh, nxs[i], nhNext, no);
                case "c_fused" -> NativeRnn.STEP_FUSED.invokeExact(nat.model, nh, nxs[i], nhNext, no);
                case "c_column" -> NativeRnn.STEP_COLUMN.invokeExact(nat.model, nh, nxs[i], nhNext, no);
                default -> NativeRnn.STEP_SGEMV.invokeExact(nat.model, nh, nxs[i], nhNext, no);
            }
            MemorySegment tmp = nh;
            nh = nhNext;
            nhNext = tmp;
            bh.consume(no);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (im != null) im.close();
        if (nat != null) nat.close();
        if (nat8 != null) nat8.close();
        if (quantized != null) quantized.close();
        if (dnn != null) dnn.close();
        if (ort != null) {
            try {
                ort.close();
            } catch (ai.onnxruntime.OrtException e) {
                throw new IllegalStateException(e);
            }
        }
        model.close();
    }
}
