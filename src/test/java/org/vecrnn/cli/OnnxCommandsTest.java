package org.vecrnn.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vecrnn.DeepOracle;
import org.vecrnn.io.SafeTensors;

/** export, then inspect, forward and stream on the .onnx file, as a user runs them; and export's refusals. */
class OnnxCommandsTest {
    @TempDir
    Path tmp;

    static final String CASE = "m2m_softmax_ce_L2_relu_n7_d33_k5_T9_B2_s2005";

    @Test
    void exportThenRunTheOnnxFileLikeTheSafetensorsOne() throws Exception {
        Path model = DeepOracle.dir().resolve(CASE + ".safetensors"), onnx = tmp.resolve("m.onnx");
        Cli export = Cli.run("export", "--model", model.toString(), "--output", onnx.toString(), "--batch-first");
        assertEquals(0, export.code(), export.toString());
        assertTrue(export.out().contains("2 layers (relu), n=7 d=33 k=5, output softmax; inputs x [B, T, 7], h0 [2, B, 33]"), export.out());

        Cli inspect = Cli.run("inspect", onnx.toString());
        assertEquals(0, inspect.code(), inspect.toString());
        assertTrue(inspect.out().contains("maps to: vecrnn model n=7 d=33 k=5 layers=2 nonlinearity=relu output=softmax"), inspect.out());

        Path input = tmp.resolve("in.safetensors");
        try (SafeTensors st = SafeTensors.open(model)) {
            org.vecrnn.io.SafeTensorsWriter.write(input, java.util.List.of(st.get("x"), st.get("h0")), java.util.Map.of());
        }
        Path fromSafetensors = tmp.resolve("a.safetensors"), fromOnnx = tmp.resolve("b.safetensors");
        assertEquals(0, Cli.run("forward", "--model", model.toString(), "--input", input.toString(), "--output", fromSafetensors.toString()).code());
        Cli forward = Cli.run("forward", "--model", onnx.toString(), "--input", input.toString(), "--output", fromOnnx.toString());
        assertEquals(0, forward.code(), forward.toString());
        try (SafeTensors a = SafeTensors.open(fromSafetensors); SafeTensors b = SafeTensors.open(fromOnnx)) {
            for (String name : a.tensors().keySet()) assertArrayEquals(a.get(name).floats(), b.get(name).floats(), name);
        }
    }

    @Test
    void exportRefusesToOverwriteItsModelOrToWriteAnotherKindOfFile() throws Exception {
        Path model = tmp.resolve("m.safetensors");
        Files.copy(DeepOracle.dir().resolve(CASE + ".safetensors"), model);
        byte[] before = Files.readAllBytes(model);
        Cli same = Cli.run("export", "--model", model.toString(), "--output", model.toString());
        assertEquals(2, same.code(), same.toString());
        Cli notOnnx = Cli.run("export", "--model", model.toString(), "--output", tmp.resolve("m.bin").toString());
        assertEquals(2, notOnnx.code(), notOnnx.toString());
        assertTrue(notOnnx.err().contains("must end in .onnx"), notOnnx.err());
        assertArrayEquals(before, Files.readAllBytes(model));
    }

    @Test
    void aRefusedGraphIsOneLineThatNamesTheFileAndTheNode() throws Exception {
        Path bad = tmp.resolve("lstm.onnx");
        var model = org.vecrnn.onnx.proto.OnnxProto.ModelProto.parseFrom(Files.readAllBytes(DeepOracle.dir().resolve(CASE + ".onnx"))).toBuilder();
        for (var node : model.getGraphBuilder().getNodeBuilderList()) if (node.getOpType().equals("RNN")) node.setOpType("LSTM");
        Files.write(bad, model.build().toByteArray());
        for (String command : new String[] {"stream", "quantize"}) {
            Cli r = command.equals("stream") ? Cli.run("stream", "--model", bad.toString())
                    : Cli.run("quantize", "--model", bad.toString(), "--output", tmp.resolve("q.safetensors").toString());
            assertEquals(1, r.code(), r.toString());
            assertTrue(r.errLine().contains(bad + ": node \"/rnn/RNN\": op LSTM is not an Elman RNN"), r.errLine());
            assertEquals(1, r.errLine().lines().count(), r.errLine());
        }
    }
}
