package org.vecrnn.kernel;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JDK lanewise(TANH) (SVML on x86) against VectorTanh's rational tanh over d floats, as the step applies
 * it. In package org.vecrnn.kernel (split across the two jars on the class path) to reach VectorTanh.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class TanhBench {
    @Param({"256"})
    public int d;

    @Param({"jdk", "rational"})
    public String tanh;

    float[] in, out;

    @Setup
    public void setup() {
        in = new float[d];
        out = new float[d];
        for (int i = 0; i < d; i++) in[i] = (float) Math.sin(i) * 4;
    }

    @Benchmark
    public float[] apply() {
        System.arraycopy(in, 0, out, 0, d);
        if (tanh.equals("jdk")) VectorTanh.jdk(out, 0, d);
        else VectorTanh.rational(out, 0, out, 0, d);
        return out;
    }
}
