package org.vecrnn;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.vecrnn.io.SafeTensors;
import org.vecrnn.model.Loss;
import org.vecrnn.model.Topology;

/** The PyTorch reference cases (a copy of ../shared/oracle) and the comparison its README recommends. */
public final class Oracle {
    private Oracle() {}

    /** The project's shared folder beside the clone (data sets that are not bundled, such as the sunspot series). */
    public static Path shared() {
        return Path.of(System.getProperty("vecrnn.shared", "../shared"));
    }

    /** The cases ship with the tests (src/test/resources/oracle, a copy of the project's shared oracle). */
    public static Path dir() {
        return Path.of(System.getProperty("vecrnn.oracle", "src/test/resources/oracle"));
    }

    /** Every case file, by name; fails loudly when the folder is missing so CI cannot pass by finding none. */
    public static List<Path> cases() {
        try (Stream<Path> s = Files.list(dir())) {
            List<Path> all = s.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().toList();
            if (all.size() < 30) throw new IllegalStateException("expected the oracle cases in " + dir().toAbsolutePath() + ", found " + all.size());
            return all;
        } catch (IOException e) {
            throw new IllegalStateException("cannot list the oracle cases in " + dir().toAbsolutePath(), e);
        }
    }

    /** One case: its inputs and what its metadata says. */
    public record Case(Path path, int B, int T, int n, int d, int k, Topology topology, Loss loss, float[] x, float[] h0, float[] y) {
        public static Case read(SafeTensors st) {
            var m = st.metadata();
            int B = Integer.parseInt(m.get("B")), T = Integer.parseInt(m.get("T"));
            int n = Integer.parseInt(m.get("n")), d = Integer.parseInt(m.get("d")), k = Integer.parseInt(m.get("k"));
            Topology top = Topology.parse(m.get("topology"));
            float[] y = top == Topology.MANY_TO_ONE ? st.floats("y", B, k) : st.floats("y", B, T, k);
            return new Case(st.path(), B, T, n, d, k, top, Loss.parse(m.get("loss")), st.floats("x", B, T, n), st.floats("h0", B, d), y);
        }
    }

    /** max |a - r| / max |r| (plain relative error for a scalar). */
    public static double err(float[] a, float[] r) {
        if (a.length != r.length) throw new AssertionError("length " + a.length + " != " + r.length);
        double num = 0, den = 0;
        for (int i = 0; i < a.length; i++) {
            num = Math.max(num, Math.abs((double) a[i] - r[i]));
            den = Math.max(den, Math.abs((double) r[i]));
        }
        if (den == 0) return num;
        return num / den;
    }

    public static double err(double[] a, float[] r) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) f[i] = (float) a[i];
        return err(f, r);
    }
}
