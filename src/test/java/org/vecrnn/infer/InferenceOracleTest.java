package org.vecrnn.infer;

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
import org.vecrnn.model.ElmanRnn;

/**
 * Every PyTorch case through the inference paths: the chosen (Vector API) kernels and the scalar reference
 * kernels, each as a batched forward and as streams fed one step at a time; h and o within the oracle's
 * normalized error 1e-4.
 */
class InferenceOracleTest {
    static final double TOL = 1e-4;

    static List<Arguments> cases() {
        List<Arguments> all = new ArrayList<>();
        for (Path p : Oracle.cases()) {
            all.add(Arguments.of(p.getFileName().toString(), "fast"));
            all.add(Arguments.of(p.getFileName().toString(), "scalar"));
        }
        return all;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void matchesPyTorch(String name, String path) {
        Path file = Oracle.dir().resolve(name);
        try (SafeTensors st = SafeTensors.open(file); ElmanRnn m = ModelFile.load(file);
             InferenceModel im = path.equals("fast") ? InferenceModel.of(m) : InferenceModel.scalar(m)) {
            Oracle.Case c = Oracle.Case.read(st);
            float[] wantH = st.get("h").floats(), wantO = st.get("o").floats();

            InferenceModel.Sequences f = im.forward(c.x(), c.B(), c.T(), c.h0());
            check(name + " " + path + " forward h", f.h(), wantH);
            check(name + " " + path + " forward o", f.o(), wantO);

            float[] h = new float[c.B() * c.T() * c.d()], o = new float[c.B() * c.T() * c.k()];
            streamAll(im, c.x(), c.B(), c.T(), c.h0(), h, o);
            check(name + " " + path + " stream h", h, wantH);
            check(name + " " + path + " stream o", o, wantO);
        }
    }

    /** Each sequence as a stream, one step at a time; h [B,T,d] and o [B,T,k] collected. */
    static void streamAll(InferenceModel im, float[] x, int B, int T, float[] h0, float[] h, float[] o) {
        int n = im.n(), d = im.d(), k = im.k();
        StreamState s = im.newStream();
        float[] xt = new float[n], ot = new float[k], ht = new float[d];
        for (int b = 0; b < B; b++) {
            s.reset();
            if (h0 != null) s.restoreState(java.util.Arrays.copyOfRange(h0, b * d, b * d + d));
            for (int t = 0; t < T; t++) {
                int r = b * T + t;
                System.arraycopy(x, r * n, xt, 0, n);
                s.step(xt, ot);
                s.saveState(ht);
                System.arraycopy(ot, 0, o, r * k, k);
                System.arraycopy(ht, 0, h, r * d, d);
            }
        }
    }

    private static void check(String what, float[] got, float[] want) {
        double err = Oracle.err(got, want);
        assertTrue(err <= TOL, what + ": normalized error " + err);
    }
}
