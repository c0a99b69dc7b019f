package org.vecrnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.vecrnn.DeepOracle;
import org.vecrnn.Oracle;
import org.vecrnn.io.SafeTensors;

/**
 * Every stacked and ReLU oracle case through `vecrnn forward` (h, o, h_n) and `vecrnn grad` (every layer's four
 * gradients under their PyTorch names, the head's, grad.h0 [L,B,d], grad.x, loss), against PyTorch at 1e-4.
 */
class DeepOracleCliTest {
    static final double TOL = 1e-4;

    @TempDir
    Path tmp;

    static List<Path> cases() {
        return DeepOracle.cases();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void forwardAndGradMatchPyTorch(Path file) {
        String name = file.getFileName().toString();
        Path out = tmp.resolve("out.safetensors"), grad = tmp.resolve("grad.safetensors");
        Cli f = Cli.run("forward", "--model", file.toString(), "--input", file.toString(), "--output", out.toString());
        assertEquals(0, f.code(), f.toString());
        try (SafeTensors ref = SafeTensors.open(file); SafeTensors got = SafeTensors.open(out)) {
            for (String t : List.of("h", "o", "h_n")) {
                assertEquals(ref.get(t).shapeString(), got.get(t).shapeString(), name + " " + t + " shape");
                double err = Oracle.err(got.get(t).floats(), ref.get(t).floats());
                assertTrue(err <= TOL, name + " forward " + t + ": normalized error " + err);
            }
            var meta = ref.metadata();
            Cli g = Cli.run("grad", "--model", file.toString(), "--data", file.toString(), "--topology", meta.get("topology"),
                    "--loss", meta.get("loss"), "--output", grad.toString());
            assertEquals(0, g.code(), g.toString());
            try (SafeTensors gr = SafeTensors.open(grad)) {
                List<String> names = ref.tensors().keySet().stream().filter(s -> s.startsWith("grad.")).toList();
                assertEquals(4 * Integer.parseInt(meta.get("layers")) + 4, names.size(), name + ": the case's gradients");
                assertEquals(names.size() + 1, gr.tensors().size(), name + ": grad output holds " + gr.tensors().keySet());
                for (String t : names) {
                    assertEquals(ref.get(t).shapeString(), gr.get(t).shapeString(), name + " " + t + " shape");
                    double err = Oracle.err(gr.get(t).floats(), ref.get(t).floats());
                    assertTrue(err <= TOL, name + " " + t + ": normalized error " + err);
                }
                double err = Oracle.err(gr.get("loss").floats(), ref.get("loss").floats());
                assertTrue(err <= TOL, name + " loss: relative error " + err);
            }
        }
    }
}
