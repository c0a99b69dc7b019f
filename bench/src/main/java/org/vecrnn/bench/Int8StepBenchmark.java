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
import org.vecrnn.kernel.Int8Kernels;
import org.vecrnn.kernel.Kernels;
import org.vecrnn.kernel.StepKernel;
import org.vecrnn.model.ElmanRnn;
import org.vecrnn.quant.Int8Scheme;
import org.vecrnn.quant.QuantizedRnn;
import org.vecrnn.quant.Quantizer;

/**
 * One streaming step (h' = tanh(W h + U x + a), then z = V h' + b) with fp32 weights against int8 weights
 * (per row and per block of 32), at the stream sizes of issue 4, all in one run so the ratios are side by
 * side. The model bytes each kernel reads per step are printed at set-up ("# weights ...") for the table.
 * <pre>
 *   java -jar bench/target/benchmarks.jar Int8StepBenchmark -f 1 -wi 3 -i 5 -w 1s -r 1s
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Dvecrnn.kernel.quiet=true"})
public class Int8StepBenchmark {
    /** n x d x k (not commas: JMH splits -p values at commas) */
    @Param({"64x128x8", "128x256x16", "256x512x32", "512x1024x64"})
    public String size;

    @Param({"fp32", "int8-row", "int8-block32"})
    public String weights;

    private ElmanRnn model;
    private QuantizedRnn quantized;
    private StepKernel kernel;
    private float[] h, hNext, x, z;

    @Setup(Level.Trial)
    public void setUp() {
        int[] s = BenchModels.sizes(size);
        int n = s[0], d = s[1], k = s[2];
        model = BenchModels.model(n, d, k);
        if (weights.equals("fp32")) kernel = Kernels.stepKernel(model);
        else {
            quantized = Quantizer.quantize(model, Int8Scheme.parse(weights));
            kernel = Int8Kernels.create(quantized);
        }
        h = new float[d];
        hNext = new float[d];
        z = new float[k];
        x = BenchModels.uniform(n, 7);
        System.out.println("# weights " + weights + " n=" + n + " d=" + d + " k=" + k + ": " + kernel.weightBytes() + " bytes, " + kernel.describe());
    }

    private boolean backward;

    @Benchmark
    public float step() {
        // as a StreamState steps: the direction of the pass over the weights alternates (both kernels take their column blocks in that order)
        kernel.step(h, x, hNext, backward);
        backward = !backward;
        kernel.head(hNext, z);
        float[] t = h;
        h = hNext;
        hNext = t;
        return z[0];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        kernel.close();
        if (quantized != null) quantized.close();
        model.close();
    }
}
