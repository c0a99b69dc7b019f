package org.vecrnn.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.vecrnn.DeepOracle;
import org.vecrnn.infer.InferenceModel;
import org.vecrnn.io.ModelFile;
import org.vecrnn.io.QuantizedModelFile;
import org.vecrnn.io.SafeTensors;
import org.vecrnn.kernel.Int8Kernels;
import org.vecrnn.kernel.KernelForward;
import org.vecrnn.kernel.StepKernel;
import org.vecrnn.model.ElmanRnn;

/**
 * Every stacked and ReLU PyTorch case quantized per layer both ways, run by both int8 kernel families and,
 * after a round trip through the int8 file, by InferenceModel: o within the single-layer int8 bound (2e-2
 * absolute) of PyTorch's.
 */
class DeepInt8OracleTest {
    static final double TOL = Int8OracleTest.TOL;

    @TempDir
    Path tmp;

    static List<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (Path p : DeepOracle.cases()) for (Int8Scheme s : Int8Scheme.values()) out.add(Arguments.of(p.getFileName().toString(), s, p));
        return out;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void outputsWithinTolerance(String name, Int8Scheme scheme, Path file) {
        try (SafeTensors st = SafeTensors.open(file); ElmanRnn fp32 = ModelFile.load(file); QuantizedRnn q = Quantizer.quantize(fp32, scheme)) {
            DeepOracle.Case c = DeepOracle.Case.read(st);
            assertEquals(c.L(), q.layers());
            assertEquals(c.f(), q.nonlinearity());
            float[] want = st.get("o").floats();
            for (String family : List.of("scalar", "vector")) {
                List<StepKernel> ks = new ArrayList<>();
                List<QuantizedRnn> views = new ArrayList<>();
                try {
                    for (int l = 0; l < q.layers(); l++) {
                        QuantizedRnn layer = q.layer(l);
                        views.add(layer);
                        ks.add(family.equals("scalar") ? Int8Kernels.scalar(layer) : Int8Kernels.vector(layer));
                    }
                    check(name + " " + family, KernelForward.run(ks, q.output(), c.x(), c.B(), c.T(), c.h0()).o(), want);
                } finally {
                    ks.forEach(StepKernel::close);
                    views.forEach(QuantizedRnn::close);
                }
            }
            Path f = tmp.resolve("q.safetensors");
            QuantizedModelFile.save(q, f, null);
            try (InferenceModel im = InferenceModel.load(f)) {
                assertEquals(c.L(), im.layers());
                check(name + " file", im.forward(c.x(), c.B(), c.T(), c.h0()).o(), want);
            }
        }
    }

    private static void check(String what, float[] o, float[] want) {
        double max = 0;
        for (int i = 0; i < o.length; i++) max = Math.max(max, Math.abs(o[i] - want[i]));
        assertTrue(max <= TOL, what + ": max abs error of o " + max);
    }
}
