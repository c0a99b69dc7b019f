package org.vecrnn.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.vecrnn.Oracle;
import org.vecrnn.io.ModelFile;
import org.vecrnn.io.SafeTensors;

/** The reference forward pass and BPTT against every PyTorch case, through the library API. */
class ReferenceBpttOracleTest {
    static final double TOL = 1e-4;

    static List<Path> cases() {
        return Oracle.cases();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesPyTorch(Path file) {
        try (SafeTensors st = SafeTensors.open(file)) {
            ModelFile.Loaded loaded = ModelFile.read(file);
            Oracle.Case c = Oracle.Case.read(st);
            ReferenceBptt ref = ReferenceBptt.of(loaded.model());
            ReferenceBptt.Gradients gr = ref.gradients(c.x(), c.B(), c.T(), c.h0(), c.y(), c.topology(), c.loss());
            Map<String, double[]> mine = Map.of(
                    "h", gr.forward().h(), "z", gr.forward().z(), "o", gr.forward().o(),
                    "grad.rnn.weight_ih_l0", gr.dU(), "grad.rnn.weight_hh_l0", gr.dW(), "grad.rnn.bias_ih_l0", gr.da(),
                    "grad.head.weight", gr.dV(), "grad.head.bias", gr.db(), "grad.h0", gr.dh0(), "grad.x", gr.dx());
            for (var e : mine.entrySet()) {
                double err = Oracle.err(e.getValue(), st.get(e.getKey()).floats());
                assertTrue(err <= TOL, file.getFileName() + " " + e.getKey() + ": normalized error " + err);
            }
            double lossErr = Math.abs(gr.loss() - st.get("loss").floats()[0]) / Math.abs(st.get("loss").floats()[0]);
            assertTrue(lossErr <= TOL, file.getFileName() + " loss: relative error " + lossErr);

            // In float64 throughout, with a = bias_ih + bias_hh summed in double as PyTorch does (the model
            // stores a as float32), the reference must meet PyTorch's float64 loss to 1e-10.
            double[] a = ReferenceBptt.wide(st.get("rnn.bias_ih_l0").floats());
            double[] a2 = ReferenceBptt.wide(st.get("rnn.bias_hh_l0").floats());
            for (int i = 0; i < a.length; i++) a[i] += a2[i];
            ReferenceBptt exact = new ReferenceBptt(ref.n, ref.d, ref.k, ref.g, ref.U, ref.W, a, ref.V, ref.b);
            double want = st.get("loss_f64").doubles()[0];
            double rel = Math.abs(exact.loss(c.x(), c.B(), c.T(), c.h0(), c.y(), c.topology(), c.loss()) - want) / Math.abs(want);
            assertTrue(rel <= 1e-10, file.getFileName() + " float64 loss: relative error " + rel);
        }
    }
}
