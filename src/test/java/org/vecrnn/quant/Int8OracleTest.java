package org.vecrnn.quant;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.vecrnn.Oracle;
import org.vecrnn.io.ModelFile;
import org.vecrnn.io.SafeTensors;
import org.vecrnn.kernel.Int8Kernels;
import org.vecrnn.kernel.KernelForward;
import org.vecrnn.kernel.StepKernel;
import org.vecrnn.model.ElmanRnn;

/** Every PyTorch case, quantized both ways and run by both int8 kernels: o within 2e-2 absolute of PyTorch's. */
class Int8OracleTest {
    /** The int8 bound of o, absolute, against PyTorch (DeepInt8OracleTest uses it too). */
    static final double TOL = 2e-2;

    static List<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (Path p : Oracle.cases()) for (Int8Scheme s : Int8Scheme.values()) out.add(Arguments.of(p.getFileName().toString(), s, p));
        return out;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void outputsWithinTolerance(String name, Int8Scheme scheme, Path file) {
        try (SafeTensors st = SafeTensors.open(file); ElmanRnn fp32 = ModelFile.load(file); QuantizedRnn q = Quantizer.quantize(fp32, scheme)) {
            Oracle.Case c = Oracle.Case.read(st);
            float[] want = st.get("o").floats();
            for (StepKernel kr : new StepKernel[] {Int8Kernels.scalar(q), Int8Kernels.vector(q)}) {
                float[] o = KernelForward.run(kr, q.output(), c.x(), c.B(), c.T(), c.h0()).o();
                double max = 0;
                for (int i = 0; i < o.length; i++) max = Math.max(max, Math.abs(o[i] - want[i]));
                assertTrue(max <= TOL, name + " " + kr.describe() + ": max abs error of o " + max);
            }
        }
    }
}
