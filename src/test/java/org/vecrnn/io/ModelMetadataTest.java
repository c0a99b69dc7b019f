package org.vecrnn.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.vecrnn.RandomModels;
import org.vecrnn.VecrnnException;
import org.vecrnn.infer.InferenceModel;
import org.vecrnn.model.ElmanRnn;
import org.vecrnn.model.Output;
import org.vecrnn.quant.Int8Scheme;
import org.vecrnn.quant.QuantizedRnn;
import org.vecrnn.quant.Quantizer;
import org.vecrnn.train.data.Captions;
import org.vecrnn.train.data.Chars;
import org.vecrnn.train.data.Digits;
import org.vecrnn.train.data.Forecast;
import org.vecrnn.train.data.Task;

/** Metadata as a contract: honoured keys, informational keys, and unknown keys that may change the math. */
class ModelMetadataTest {
    @TempDir
    Path tmp;

    /** A PyTorch state dict of nn.RNN(3, 2) and nn.Linear(2, 1), as torch's save_file writes it. */
    private Path torchFile(Map<String, String> metadata) {
        Path f = tmp.resolve("torch.safetensors");
        SafeTensorsWriter.write(f, List.of(Tensor.of("rnn.weight_ih_l0", new float[] {1, 2, 3, 4, 5, 6}, 2, 3),
                Tensor.of("rnn.weight_hh_l0", new float[] {0.5f, 0, 0, 0.5f}, 2, 2), Tensor.of("rnn.bias_ih_l0", new float[] {1, 2}, 2),
                Tensor.of("rnn.bias_hh_l0", new float[] {0, 0}, 2), Tensor.of("head.weight", new float[] {7, 8}, 1, 2),
                Tensor.of("head.bias", new float[] {9}, 1)), metadata);
        return f;
    }

    private static Map<String, String> entry(String keyValue) {
        String[] kv = keyValue.split("=", 2);
        Map<String, String> m = new HashMap<>();
        m.put(kv[0], kv[1]);
        return m;
    }

    /** Keys of other tools (PyTorch writes format=pt) that cannot change the math are ignored: the model loads. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"format=pt", "note=trained on a Tuesday", "framework=torch 2.5", "hidden_size=2", "author=someone",
            "format=vecrnn", "task=chars", "seed=7", "init_scale=1.0", "reference_dtype=float64", "torch_version=1.13.0",
            "loss_reduction=sum over time steps"})
    void keysThatCannotChangeTheMathAreIgnored(String keyValue) {
        Path f = torchFile(entry(keyValue));
        try (ElmanRnn m = ModelFile.load(f)) {
            assertEquals(3, m.n());
        }
    }

    /**
     * An unknown key whose name says it may change the math stops every loader (fp32, int8 and InferenceModel),
     * with a message naming the file, the key and the value, rather than running a different model.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"input_offset=3", "output_scale=2", "outputs=log", "normalization=layer", "num_layers=2", "bidirectional=true",
            "BatchNorm=1", "x_mean=0.5", "mode=LSTM", "proj_size=4", "activation=gelu", "weight-quantization=fp8"})
    void unknownKeysThatMayChangeTheMathStopTheModel(String keyValue) {
        String key = keyValue.split("=", 2)[0], value = keyValue.split("=", 2)[1];
        Path f = torchFile(entry(keyValue));
        List<Supplier<AutoCloseable>> loaders = List.of(() -> ModelFile.load(f), () -> InferenceModel.load(f, true, false));
        for (Supplier<AutoCloseable> load : loaders) {
            VecrnnException e = assertThrows(VecrnnException.class, load::get);
            assertTrue(e.getMessage().startsWith(f + ": metadata \"" + key + "\" = \"" + value + "\" is a key vecrnn does not know"), e.getMessage());
        }
        Path q = tmp.resolve("int8.safetensors");
        try (ElmanRnn m = RandomModels.model(new SplittableRandom(3), 3, 2, 1, Output.SIGMOID, 1);
             QuantizedRnn qm = Quantizer.quantize(m, Int8Scheme.ROW)) {
            QuantizedModelFile.save(qm, q, entry(keyValue));
        }
        VecrnnException e = assertThrows(VecrnnException.class, () -> QuantizedModelFile.load(q));
        assertTrue(e.getMessage().startsWith(q + ": metadata \"" + key + "\""), e.getMessage());
    }

    /** Honoured and informational keys are two sets apart, and the words of the math do not catch the known keys by mistake. */
    @Test
    void theKnownKeysAreDisjointAndAllowed() {
        for (String k : ModelMetadata.HONOURED) assertFalse(ModelMetadata.INFORMATIONAL.contains(k), k);
        for (String k : List.of("format", "task", "topology", "vocabulary", "classes", "window", "trained_epochs", "seed"))
            assertFalse(ModelMetadata.looksMathematical(k), k);
        assertTrue(ModelMetadata.looksMathematical("input_description"), "input_ keys are math unless known");
        assertTrue(ModelMetadata.INFORMATIONAL.contains("input_description"));
    }

    static Stream<Supplier<Task>> bundledTasks() {
        return Stream.of(() -> new Digits(8, 1, 32, 0.1, 1), () -> new Captions(8, 1, 32), () -> new Chars(8, 1, 8, 16, 16),
                () -> Forecast.co2(8, 1, 8, 12, 0.1, true), () -> Forecast.co2(8, 2, 8, 12, 0.1, false));
    }

    /** What train writes into a model for each bundled task passes the check: no key of vecrnn's own is refused. */
    @ParameterizedTest
    @MethodSource("bundledTasks")
    void everyKeyTrainWritesIsKnown(Supplier<Task> make) {
        try (Task task = make.get()) {
            Map<String, String> meta = new LinkedHashMap<>(task.metadata());
            meta.put("trained_epochs", "1");
            meta.put("seed", "1");
            int n = task.train().n(), k = task.train().k();
            for (String key : meta.keySet())
                assertTrue(ModelMetadata.HONOURED.contains(key) || ModelMetadata.INFORMATIONAL.contains(key), task.name() + ": " + key);
            ModelMetadata.check("model.safetensors", meta, n, k);
        }
    }
}
