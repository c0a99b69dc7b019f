package org.vecrnn.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vecrnn.Oracle;
import org.vecrnn.RandomModels;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.vecrnn.train.data.CsvTable;
import org.vecrnn.io.ModelFile;
import org.vecrnn.io.QuantizedModelFile;
import org.vecrnn.io.SafeTensors;
import org.vecrnn.io.SafeTensorsWriter;
import org.vecrnn.io.Tensor;
import org.vecrnn.model.ElmanRnn;
import org.vecrnn.model.Output;
import org.vecrnn.onnx.OnnxImport;
import org.vecrnn.quant.Int8Scheme;
import org.vecrnn.quant.QuantizedRnn;
import org.vecrnn.quant.Quantizer;
import org.vecrnn.text.Word2VecFormat;
import org.vecrnn.text.WordVectors;

/** Mutation fuzzing of the file readers (see {@link FuzzRunner} for the contract and the long run). */
class ParserFuzzTest {
    @TempDir
    Path tmp;

    @Test
    void safetensorsReader() throws IOException {
        Path valid = tmp.resolve("valid.safetensors");
        SafeTensorsWriter.write(valid, List.of(Tensor.of("x", new float[] {1, 2, 3, 4, 5, 6}, 1, 3, 2),
                Tensor.of("q", new byte[] {1, -2, 3}, 3), Tensor.scalar("loss", 0.5f)), Map.of("format", "vecrnn", "note", "fuzz"));
        var outcome = FuzzRunner.run("safetensors", Files.readAllBytes(valid), tmp, "case.safetensors", p -> {
            try (SafeTensors st = SafeTensors.open(p)) {
                for (Tensor t : st.tensors().values()) t.data().byteSize();
            }
        });
        assertTrue(outcome.refused() > 0 && outcome.loaded() > 0, "the mutations reach both outcomes: " + outcome);
    }

    @Test
    void word2vecText() throws IOException {
        Path valid = tmp.resolve("valid.txt");
        try (WordVectors t = WordVectors.of(List.of("dog", "café", "日本語", "</s>"), floats(4 * 5), 5)) {
            Word2VecFormat.writeText(t, valid);
        }
        var outcome = FuzzRunner.run("word2vec text", Files.readAllBytes(valid), tmp, "case.txt", p -> Word2VecFormat.readText(p).close());
        assertTrue(outcome.refused() > 0 && outcome.loaded() > 0, "the mutations reach both outcomes: " + outcome);
    }

    @Test
    void word2vecBinary() throws IOException {
        Path valid = tmp.resolve("valid.bin");
        try (WordVectors t = WordVectors.of(List.of("dog", "café", "日本語", "</s>"), floats(4 * 5), 5)) {
            Word2VecFormat.writeBinary(t, valid);
        }
        var outcome = FuzzRunner.run("word2vec binary", Files.readAllBytes(valid), tmp, "case.bin", p -> Word2VecFormat.readBinary(p).close());
        assertTrue(outcome.refused() > 0 && outcome.loaded() > 0, "the mutations reach both outcomes: " + outcome);
    }

    static float[] floats(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (i % 7 - 3) * 0.25f;
        return v;
    }

    @Test
    void modelLoaderOwnNames() throws IOException {
        Path valid = tmp.resolve("model.safetensors");
        try (ElmanRnn m = RandomModels.model(new SplittableRandom(3), 3, 5, 2, Output.SOFTMAX, 1)) {
            ModelFile.save(m, valid, Map.of());
        }
        var outcome = FuzzRunner.run("model (own names)", Files.readAllBytes(valid), tmp, "case.safetensors", p -> ModelFile.load(p).close());
        assertTrue(outcome.refused() > 0 && outcome.loaded() > 0, "the mutations reach both outcomes: " + outcome);
    }

    @Test
    void modelLoaderPyTorchNames() throws IOException {
        byte[] valid = Files.readAllBytes(Oracle.dir().resolve("m2m_identity_mse_n5_d3_k2_T4_B2_s1000.safetensors"));
        var outcome = FuzzRunner.run("model (PyTorch names)", valid, tmp, "case.safetensors", p -> ModelFile.load(p).close());
        assertTrue(outcome.refused() > 0 && outcome.loaded() > 0, "the mutations reach both outcomes: " + outcome);
    }

    /** The ONNX import (protobuf parse, graph walk, tensors) on a two-layer twin of the deep oracle. */
    @Test
    void onnxImport() throws IOException {
        byte[] valid = Files.readAllBytes(Oracle.dir().resolve("deep/m2m_identity_mse_L2_tanh_n5_d3_k2_T4_B2_s2000.onnx"));
        var outcome = FuzzRunner.run("onnx", valid, tmp, "case.onnx", OnnxImport::read);
        assertTrue(outcome.refused() > 0 && outcome.loaded() > 0, "the mutations reach both outcomes: " + outcome);
    }

    /** The int8 loader, both schemes; n = 40 so the block scheme has a short last block of U's rows. */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Int8Scheme.class)
    void quantizedModelLoader(Int8Scheme scheme) throws IOException {
        Path valid = tmp.resolve("int8.safetensors");
        try (ElmanRnn m = RandomModels.model(new SplittableRandom(5), 40, 5, 3, Output.SIGMOID, 1); QuantizedRnn q = Quantizer.quantize(m, scheme)) {
            QuantizedModelFile.save(q, valid, Map.of());
        }
        var outcome = FuzzRunner.run("int8 model (" + scheme.id() + ")", Files.readAllBytes(valid), tmp, "case.safetensors",
                p -> QuantizedModelFile.load(p).close());
        assertTrue(outcome.refused() > 0 && outcome.loaded() > 0, "the mutations reach both outcomes: " + outcome);
    }

    /** A digits-like table: header, integer label, 16 pixels in 0..16; every cell read as the train command does. */
    @Test
    void csvDigitsLike() throws IOException {
        StringBuilder sb = new StringBuilder("label");
        for (int j = 0; j < 16; j++) sb.append(",p").append(j);
        sb.append('\n');
        SplittableRandom r = new SplittableRandom(11);
        for (int i = 0; i < 12; i++) {
            sb.append(r.nextInt(10));
            for (int j = 0; j < 16; j++) sb.append(',').append(r.nextInt(17));
            sb.append(i == 5 ? "\n\n" : "\n"); // one blank line, skipped
        }
        var outcome = FuzzRunner.run("csv (digits-like)", sb.toString().getBytes(StandardCharsets.UTF_8), tmp, "case.csv", p -> {
            CsvTable t = CsvTable.read(p);
            for (int i = 0; i < t.rows(); i++) {
                t.label(i, 0, 10);
                for (int c = 1; c < t.columns(); c++) t.number(i, c);
            }
        });
        assertTrue(outcome.refused() > 0 && outcome.loaded() > 0, "the mutations reach both outcomes: " + outcome);
    }

    /** A date,value series (CO2-like): the date column is text, the value column numbers, looked up by title. */
    @Test
    void csvDateValueSeries() throws IOException {
        StringBuilder sb = new StringBuilder("\uFEFFdate,value\r\n");
        for (int i = 0; i < 24; i++)
            sb.append(String.format(java.util.Locale.ROOT, "%d-%02d-01,%.2f\r\n", 1958 + i / 12, 1 + i % 12, 315 + 0.37 * i));
        var outcome = FuzzRunner.run("csv (date,value)", sb.toString().getBytes(StandardCharsets.UTF_8), tmp, "case.csv", p -> {
            CsvTable t = CsvTable.read(p);
            int v = t.column("value");
            for (int i = 0; i < t.rows(); i++) t.number(i, v);
        });
        assertTrue(outcome.refused() > 0 && outcome.loaded() > 0, "the mutations reach both outcomes: " + outcome);
    }
}
