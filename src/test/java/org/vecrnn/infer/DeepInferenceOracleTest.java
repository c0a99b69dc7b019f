package org.vecrnn.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.vecrnn.DeepOracle;
import org.vecrnn.Oracle;
import org.vecrnn.io.ModelFile;
import org.vecrnn.io.SafeTensors;
import org.vecrnn.model.ElmanRnn;

/**
 * Every stacked and ReLU PyTorch case through the inference paths (the chosen kernels and the scalar
 * reference, batched forward and one-step streams): h, o and h_n within the oracle's normalized error 1e-4.
 */
class DeepInferenceOracleTest {
    static final double TOL = 1e-4;

    static List<Arguments> cases() {
        List<Arguments> all = new ArrayList<>();
        for (String name : DeepOracle.names()) {
            all.add(Arguments.of(name, "fast"));
            all.add(Arguments.of(name, "scalar"));
        }
        return all;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void matchesPyTorch(String name, String path) {
        Path file = DeepOracle.dir().resolve(name);
        try (SafeTensors st = SafeTensors.open(file); ElmanRnn m = ModelFile.load(file);
             InferenceModel im = path.equals("fast") ? InferenceModel.of(m) : InferenceModel.scalar(m)) {
            DeepOracle.Case c = DeepOracle.Case.read(st);
            assertEquals(c.L(), im.layers());
            assertEquals(c.L(), m.layers());
            assertEquals(c.f(), m.nonlinearity());
            assertEquals(c.L() * c.d(), im.stateSize());
            float[] wantH = st.get("h").floats(), wantO = st.get("o").floats(), wantHN = st.get("h_n").floats();

            InferenceModel.Sequences f = im.forward(c.x(), c.B(), c.T(), c.h0());
            check(name + " " + path + " forward h", f.h(), wantH);
            check(name + " " + path + " forward o", f.o(), wantO);
            check(name + " " + path + " forward h_n", f.hN(), wantHN);

            float[] h = new float[c.B() * c.T() * c.d()], o = new float[c.B() * c.T() * c.k()], hN = new float[c.L() * c.B() * c.d()];
            streamAll(im, c.x(), c.B(), c.T(), c.h0(), h, o, hN);
            check(name + " " + path + " stream h", h, wantH);
            check(name + " " + path + " stream o", o, wantO);
            check(name + " " + path + " stream h_n", hN, wantHN);
        }
    }

    /** Each sequence as a stream from its h0 (L slices of d, B·d apart), one step at a time; h, o and h_n collected. */
    static void streamAll(InferenceModel im, float[] x, int B, int T, float[] h0, float[] h, float[] o, float[] hN) {
        int n = im.n(), d = im.d(), k = im.k(), L = im.layers();
        StreamState s = im.newStream();
        float[] xt = new float[n], ot = new float[k], state = new float[im.stateSize()];
        for (int b = 0; b < B; b++) {
            for (int l = 0; l < L; l++) System.arraycopy(h0, (l * B + b) * d, state, l * d, d);
            s.restoreState(state);
            for (int t = 0; t < T; t++) {
                int r = b * T + t;
                System.arraycopy(x, r * n, xt, 0, n);
                s.step(xt, ot);
                s.saveState(state);
                System.arraycopy(ot, 0, o, r * k, k);
                System.arraycopy(state, (L - 1) * d, h, r * d, d);
            }
            for (int l = 0; l < L; l++) System.arraycopy(state, l * d, hN, (l * B + b) * d, d);
        }
    }

    private static void check(String what, float[] got, float[] want) {
        double err = Oracle.err(got, want);
        assertTrue(err <= TOL, what + ": normalized error " + err);
    }
}
