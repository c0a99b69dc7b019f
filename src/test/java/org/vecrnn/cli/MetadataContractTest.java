package org.vecrnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vecrnn.Oracle;
import org.vecrnn.io.SafeTensors;
import org.vecrnn.io.SafeTensorsWriter;
import org.vecrnn.io.Tensor;

/**
 * The ReLU case: a PyTorch {@code nn.RNN(nonlinearity='relu')} file (metadata nonlinearity=relu) used to
 * run as tanh with exit 0, its outputs off by up to 0.87. Now forward gives PyTorch's outputs, and a value that
 * cannot be honoured stops the command with the key and the value.
 */
class MetadataContractTest {
    static final Path RELU = Oracle.dir().resolve("deep/m2m_sigmoid_mse_L1_relu_n5_d17_k3_T8_B2_s2003.safetensors");

    @Test
    void aReluFileRunsAsRelu(@TempDir Path dir) {
        Path in = dir.resolve("in.safetensors"), out = dir.resolve("out.safetensors");
        float[] want;
        try (SafeTensors st = SafeTensors.open(RELU)) {
            assertEquals("relu", st.metadata().get("nonlinearity"));
            Tensor x = st.get("x");
            SafeTensorsWriter.write(in, List.of(Tensor.of("x", x.floats(), x.shape()[0], x.shape()[1], x.shape()[2]),
                    Tensor.of("h0", st.get("h0").floats(), st.get("h0").shape())), Map.of());
            want = st.get("o").floats();
        }
        Cli r = Cli.run("forward", "--model", RELU.toString(), "--input", in.toString(), "--output", out.toString());
        assertEquals(0, r.code(), r.toString());
        try (SafeTensors st = SafeTensors.open(out)) {
            float[] got = st.get("o").floats();
            double max = 0;
            for (int i = 0; i < want.length; i++) max = Math.max(max, Math.abs(got[i] - want[i]));
            assertTrue(max < 1e-5, "max |o - PyTorch| = " + max);
        }
    }

    @Test
    void valuesThatCannotBeHonouredStopEveryCommand(@TempDir Path dir) {
        for (String[] kv : List.of(new String[] {"nonlinearity", "gelu"}, new String[] {"version", "7"}, new String[] {"input", "log-returns"})) {
            Path model = copyWith(dir, kv[0], kv[1]);
            for (String[] args : List.of(new String[] {"stream", "--model", model.toString()},
                    new String[] {"quantize", "--model", model.toString(), "--output", dir.resolve("q.safetensors").toString()})) {
                Cli r = Cli.run(args);
                assertEquals(1, r.code(), r.toString());
                assertTrue(r.errLine().contains(kv[0]) && r.errLine().contains(kv[1]), "names the key and the value: " + r.errLine());
            }
        }
    }

    /** The ReLU case's model tensors, its metadata with key=value. */
    private static Path copyWith(Path dir, String key, String value) {
        Path f = dir.resolve(key + ".safetensors");
        try (SafeTensors st = SafeTensors.open(RELU)) {
            List<Tensor> ts = new ArrayList<>();
            for (Tensor t : st.tensors().values())
                if (t.name().startsWith("rnn.") || t.name().startsWith("head.")) ts.add(Tensor.of(t.name(), t.floats(), t.shape()));
            Map<String, String> meta = new LinkedHashMap<>(st.metadata());
            meta.put(key, value);
            SafeTensorsWriter.write(f, ts, meta);
        }
        return f;
    }
}
