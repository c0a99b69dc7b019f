package org.vecrnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vecrnn.DeepOracle;
import org.vecrnn.RandomModels;
import org.vecrnn.io.ModelFile;
import org.vecrnn.io.SafeTensors;
import org.vecrnn.io.SafeTensorsWriter;
import org.vecrnn.io.Tensor;
import org.vecrnn.model.ElmanRnn;
import org.vecrnn.model.Nonlinearity;
import org.vecrnn.model.Output;

/** Stacked and ReLU models through the commands that are not oracle comparisons: bench, quantize, forward's h0, inspect. */
class StackedCommandsTest {
    @TempDir
    Path tmp;

    @Test
    void benchTimesAStackedReluModelInFp32AndInt8() {
        for (String weights : List.of("fp32", "int8")) {
            Cli c = weights.equals("int8")
                    ? Cli.run("bench", "--workload", "stream", "--n", "5", "--d", "17", "--k", "3", "--layers", "2", "--nonlinearity", "relu", "--int8")
                    : Cli.run("bench", "--workload", "stream", "--n", "5", "--d", "17", "--k", "3", "--layers", "2", "--nonlinearity", "relu");
            assertEquals(0, c.code(), c.toString());
            assertTrue(c.out().startsWith("workload=stream n=5 d=17 k=3 weights=" + weights + " ns_per_step="), c.out());
            assertTrue(c.out().contains(" layers=2 nonlinearity=relu"), c.out());
        }
    }

    @Test
    void benchRefusesBadDepthsAndNonlinearities() {
        Cli deep = Cli.run("bench", "--workload", "stream", "--layers", "9");
        assertEquals(2, deep.code(), deep.toString());
        assertTrue(deep.err().contains("--layers (1 to 8) is out of range"), deep.err());
        Cli gelu = Cli.run("bench", "--workload", "stream", "--nonlinearity", "gelu");
        assertEquals(2, gelu.code(), gelu.toString());
        assertTrue(gelu.err().contains("--nonlinearity must be tanh or relu, not 'gelu'"), gelu.err());
    }

    /** quantize on a stacked file writes every layer's int8 weights and reports the error on the case's inputs. */
    @Test
    void quantizeReportsTheErrorOfAStackedModel() {
        Path model = DeepOracle.dir().resolve("m2m_softmax_ce_L2_relu_n7_d33_k5_T9_B2_s2005.safetensors"), q = tmp.resolve("q.safetensors");
        Cli c = Cli.run("quantize", "--model", model.toString(), "--output", q.toString(), "--input", model.toString());
        assertEquals(0, c.code(), c.toString());
        assertTrue(c.out().contains("error on " + model + ": "), c.out());
        try (SafeTensors st = SafeTensors.open(q)) {
            assertEquals("2", st.metadata().get("layers"));
            assertEquals("relu", st.metadata().get("nonlinearity"));
            assertTrue(st.has("U2") && st.has("W2") && st.has("a2") && st.has("W2.scale"), st.tensors().keySet().toString());
        }
        Cli i = Cli.run("inspect", q.toString());
        assertEquals(0, i.code(), i.toString());
        assertTrue(i.out().contains("layers") && i.out().contains("relu"), i.out());
    }

    /** A stacked model's h0 is [L,B,d]; a [B,d] one is refused naming the shape it needs. */
    @Test
    void forwardNeedsOneH0PerLayer() {
        Path model = tmp.resolve("m.safetensors"), in = tmp.resolve("in.safetensors"), out = tmp.resolve("out.safetensors");
        try (ElmanRnn m = RandomModels.stacked(new SplittableRandom(3), 2, 3, 1, 2, Nonlinearity.TANH, Output.IDENTITY, 1)) {
            ModelFile.save(m, model, Map.of());
        }
        SafeTensorsWriter.write(in, List.of(Tensor.of("x", new float[2 * 4 * 2], 2, 4, 2), Tensor.of("h0", new float[2 * 3], 2, 3)), Map.of());
        Cli c = Cli.run("forward", "--model", model.toString(), "--input", in.toString(), "--output", out.toString());
        assertEquals(1, c.code(), c.toString());
        assertEquals("vecrnn forward: " + in + ": tensor 'h0' has shape [2, 3], expected [2, 2, 3] (layers, sequences, units)", c.errLine());
        SafeTensorsWriter.write(in, List.of(Tensor.of("x", new float[2 * 4 * 2], 2, 4, 2), Tensor.of("h0", new float[2 * 2 * 3], 2, 2, 3)), Map.of());
        Cli ok = Cli.run("forward", "--model", model.toString(), "--input", in.toString(), "--output", out.toString());
        assertEquals(0, ok.code(), ok.toString());
        try (SafeTensors st = SafeTensors.open(out)) {
            assertTrue(st.get("h_n").hasShape(2, 2, 3), st.get("h_n").shapeString());
            assertTrue(st.get("h").hasShape(2, 4, 3), st.get("h").shapeString());
        }
    }
}
