package org.vecrnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vecrnn.DeepOracle;
import org.vecrnn.RandomModels;
import org.vecrnn.io.ModelFile;
import org.vecrnn.io.QuantizedModelFile;
import org.vecrnn.model.ElmanRnn;
import org.vecrnn.model.Nonlinearity;
import org.vecrnn.model.Output;
import org.vecrnn.quant.Int8Scheme;
import org.vecrnn.quant.QuantizedRnn;
import org.vecrnn.quant.Quantizer;

/** {@code vecrnn bench --model M}: the user's own model at its own sizes (the one-line format, not the speed). */
class BenchModelTest {
    @TempDir
    static Path dir;

    static Path fp32, int8;

    static Path files() {
        if (fp32 != null) return fp32;
        fp32 = dir.resolve("m.safetensors");
        int8 = dir.resolve("m-int8.safetensors");
        try (ElmanRnn m = RandomModels.stacked(new SplittableRandom(4), 3, 5, 2, 2, Nonlinearity.RELU, Output.SOFTMAX, 1);
             QuantizedRnn q = Quantizer.quantize(m, Int8Scheme.DEFAULT)) {
            ModelFile.save(m, fp32, Map.of());
            QuantizedModelFile.save(q, int8, Map.of());
        }
        return fp32;
    }

    static TrainCommandTest.Run run(String... args) {
        return TrainCommandTest.run(args);
    }

    @Test
    void streamRunsTheFileAtItsOwnSizes() {
        TrainCommandTest.Run r = run("bench", "--workload", "stream", "--model", files().toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().matches("workload=stream n=3 d=5 k=2 weights=fp32 ns_per_step=[0-9.]+ layers=2 nonlinearity=relu\\R"), r.out());
        TrainCommandTest.Run q = run("bench", "--workload", "stream", "--model", files().toString(), "--int8");
        assertEquals(0, q.code(), q.err());
        assertTrue(q.out().matches("workload=stream n=3 d=5 k=2 weights=int8 ns_per_step=[0-9.]+ layers=2 nonlinearity=relu\\R"), q.out());
    }

    @Test
    void anInt8FileRunsAsInt8AndCannotBeTrained() {
        files();
        TrainCommandTest.Run r = run("bench", "--workload", "batch", "--model", int8.toString(), "--batch", "4", "--steps", "6");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().matches("workload=batch n=3 d=5 k=2 weights=int8 seq_per_s=[0-9.]+ layers=2 nonlinearity=relu\\R"), r.out());
        TrainCommandTest.Run t = run("bench", "--workload", "train", "--model", int8.toString());
        assertEquals(2, t.code(), t.err());
        assertTrue(t.err().contains("holds int8 weights, and training runs in fp32"), t.err());
    }

    @Test
    void trainTimesTheModelsShape() {
        TrainCommandTest.Run r = run("bench", "--workload", "train", "--model", files().toString(), "--batch", "4", "--steps", "6");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().matches("workload=train n=3 d=5 k=2 weights=fp32 steps_per_s=[0-9.]+ layers=2 nonlinearity=relu\\R"), r.out());
    }

    @Test
    void coldstartLoadsTheFileItselfAndLeavesIt() throws Exception {
        byte[] before = java.nio.file.Files.readAllBytes(files());
        TrainCommandTest.Run r = run("bench", "--workload", "coldstart", "--model", files().toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().matches("workload=coldstart n=3 d=5 k=2 weights=fp32 load_ms=[0-9.]+ .* warmup=on layers=2 nonlinearity=relu\\R"), r.out());
        org.junit.jupiter.api.Assertions.assertArrayEquals(before, java.nio.file.Files.readAllBytes(files()), "the user's file is read, never changed");
    }

    @Test
    void onnxFilesToo() {
        Path onnx = DeepOracle.dir().resolve("m2m_softmax_ce_L2_relu_n7_d33_k5_T9_B2_s2005.onnx");
        TrainCommandTest.Run r = run("bench", "--workload", "batch", "--model", onnx.toString(), "--batch", "4", "--steps", "6");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().matches("workload=batch n=7 d=33 k=5 weights=fp32 seq_per_s=[0-9.]+ layers=2 nonlinearity=relu\\R"), r.out());
    }

    @Test
    void sizesOfARandomModelAndMissingFilesAreRefused() {
        TrainCommandTest.Run sized = run("bench", "--workload", "stream", "--model", files().toString(), "--d", "64");
        assertEquals(2, sized.code(), sized.err());
        assertTrue(sized.err().contains("--d sizes a random model; with --model the file's own sizes are used"), sized.err());
        Path missing = dir.resolve("none.safetensors");
        TrainCommandTest.Run gone = run("bench", "--workload", "stream", "--model", missing.toString());
        assertEquals(1, gone.code(), gone.err());
        assertEquals(1, gone.err().strip().lines().count(), gone.err());
        assertTrue(gone.err().contains(missing.toString()), gone.err());
    }
}
