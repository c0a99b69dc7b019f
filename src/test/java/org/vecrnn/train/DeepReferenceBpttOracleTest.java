package org.vecrnn.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.vecrnn.DeepOracle;
import org.vecrnn.Oracle;
import org.vecrnn.io.ModelFile;
import org.vecrnn.io.SafeTensors;
import org.vecrnn.model.ElmanRnn;

/** The reference forward pass and BPTT of stacked and ReLU models against every deep PyTorch case, through the library API. */
class DeepReferenceBpttOracleTest {
    static final double TOL = 1e-4;

    static List<Path> cases() {
        return DeepOracle.cases();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesPyTorch(Path file) {
        try (SafeTensors st = SafeTensors.open(file); ElmanRnn m = ModelFile.load(file)) {
            DeepOracle.Case c = DeepOracle.Case.read(st);
            ReferenceBptt ref = ReferenceBptt.of(m);
            ReferenceBptt.Gradients gr = ref.gradients(c.x(), c.B(), c.T(), c.h0(), c.y(), c.topology(), c.loss());
            Map<String, double[]> mine = new LinkedHashMap<>();
            mine.put("h", gr.forward().h());
            mine.put("z", gr.forward().z());
            mine.put("o", gr.forward().o());
            mine.put("grad.head.weight", gr.dV());
            mine.put("grad.head.bias", gr.db());
            mine.put("grad.h0", gr.dh0());
            mine.put("grad.x", gr.dx());
            double[][] all = gr.all();
            for (int l = 0; l < c.L(); l++) {
                int at = l == 0 ? 0 : 5 + 3 * (l - 1);
                mine.put("grad.rnn.weight_ih_l" + l, all[at]);
                mine.put("grad.rnn.weight_hh_l" + l, all[at + 1]);
                mine.put("grad.rnn.bias_ih_l" + l, all[at + 2]);
                mine.put("grad.rnn.bias_hh_l" + l, all[at + 2]);
            }
            for (var e : mine.entrySet()) {
                double err = Oracle.err(e.getValue(), st.get(e.getKey()).floats());
                assertTrue(err <= TOL, file.getFileName() + " " + e.getKey() + ": normalized error " + err);
            }
            double want = st.get("loss").floats()[0];
            double lossErr = Math.abs(gr.loss() - want) / Math.abs(want);
            assertTrue(lossErr <= TOL, file.getFileName() + " loss: relative error " + lossErr);
        }
    }
}
