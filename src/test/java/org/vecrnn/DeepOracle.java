package org.vecrnn;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.vecrnn.io.SafeTensors;
import org.vecrnn.model.Loss;
import org.vecrnn.model.Nonlinearity;
import org.vecrnn.model.Topology;

/** The stacked and ReLU PyTorch reference cases (a copy of ../shared/oracle/deep, the same format as {@link Oracle}'s). */
public final class DeepOracle {
    private DeepOracle() {}

    public static Path dir() {
        return Oracle.dir().resolve("deep");
    }

    /** Every case file; fails loudly when the folder is missing so CI cannot pass by finding none. */
    public static List<Path> cases() {
        try (Stream<Path> s = Files.list(dir())) {
            List<Path> all = s.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().toList();
            if (all.size() < 7) throw new IllegalStateException("expected the deep oracle cases in " + dir().toAbsolutePath() + ", found " + all.size());
            return all;
        } catch (IOException e) {
            throw new IllegalStateException("cannot list the deep oracle cases in " + dir().toAbsolutePath(), e);
        }
    }

    public static List<String> names() {
        return cases().stream().map(p -> p.getFileName().toString()).toList();
    }

    /** One case: its sizes, inputs (h0 as [L,B,d], which is [B,d] for one layer) and what its metadata says. */
    public record Case(Path path, int L, Nonlinearity f, int B, int T, int n, int d, int k, Topology topology, Loss loss,
                       float[] x, float[] h0, float[] y) {
        public static Case read(SafeTensors st) {
            var m = st.metadata();
            int L = Integer.parseInt(m.get("layers"));
            int B = Integer.parseInt(m.get("B")), T = Integer.parseInt(m.get("T"));
            int n = Integer.parseInt(m.get("n")), d = Integer.parseInt(m.get("d")), k = Integer.parseInt(m.get("k"));
            Topology top = Topology.parse(m.get("topology"));
            float[] y = top == Topology.MANY_TO_ONE ? st.floats("y", B, k) : st.floats("y", B, T, k);
            float[] h0 = L == 1 ? st.floats("h0", B, d) : st.floats("h0", L, B, d);
            return new Case(st.path(), L, Nonlinearity.parse(m.get("nonlinearity")), B, T, n, d, k, top, Loss.parse(m.get("loss")),
                    st.floats("x", B, T, n), h0, y);
        }
    }
}
