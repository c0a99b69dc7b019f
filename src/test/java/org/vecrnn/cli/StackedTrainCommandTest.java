package org.vecrnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.vecrnn.Oracle;
import org.vecrnn.blas.Blas;
import org.vecrnn.io.ModelFile;
import org.vecrnn.io.SafeTensors;
import org.vecrnn.io.SafeTensorsWriter;
import org.vecrnn.io.Tensor;
import org.vecrnn.kernel.SegmentOps;
import org.vecrnn.model.Loss;
import org.vecrnn.model.Nonlinearity;
import org.vecrnn.model.Topology;
import org.vecrnn.train.BatchedGradients;
import org.vecrnn.train.data.Digits;

/** {@code vecrnn train --layers L --nonlinearity f}: the loss falls, the model file is what forward runs, bad options exit 2. */
class StackedTrainCommandTest {
    static TrainCommandTest.Run run(String... args) {
        return TrainCommandTest.run(args);
    }

    @Test
    void twoReluLayersTrainAndForwardGivesWhatTheTrainerComputed(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("m.safetensors"), report = dir.resolve("report");
        TrainCommandTest.Run r = run("train", "--task", "digits", "--layers", "2", "--nonlinearity", "relu", "--hidden", "16", "--epochs", "4",
                "--report", report.toString(), "--output", model.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("test_accuracy="), r.out());
        String printed = r.out().split("[= ]")[1];
        // the loss falls from epoch to epoch (epochs.csv: epoch,train_loss,...)
        List<String> rows = Files.readAllLines(report.resolve("epochs.csv"));
        assertEquals(5, rows.size(), rows.toString());
        double first = Double.parseDouble(rows.get(1).split(",")[1]), last = Double.parseDouble(rows.get(4).split(",")[1]);
        assertTrue(last < 0.7 * first, "training loss " + first + " in epoch 1, " + last + " in epoch 4");
        assertTrue(Double.parseDouble(printed) > 0.5, "10 classes, chance is 0.1: " + r.out());

        ModelFile.Loaded loaded = ModelFile.read(model);
        try (var m = loaded.model()) {
            assertEquals(2, m.layers());
            assertEquals(Nonlinearity.RELU, m.nonlinearity());
            assertEquals("2", loaded.metadata().get(ModelFile.LAYERS));
            assertEquals("relu", loaded.metadata().get(ModelFile.NONLINEARITY));

            // forward on the test images, in pixels (the file's input_scale maps them to what training saw) ...
            Digits.Images test = Digits.testImages();
            float[] pixels = test.x().clone();
            for (int i = 0; i < pixels.length; i++) pixels[i] *= 16;
            Path in = dir.resolve("in.safetensors"), out = dir.resolve("out.safetensors");
            SafeTensorsWriter.write(in, List.of(Tensor.of("x", pixels, test.N(), Digits.Images.T, Digits.Images.N_IN)), Map.of());
            TrainCommandTest.Run f = run("forward", "--model", model.toString(), "--input", in.toString(), "--output", out.toString());
            assertEquals(0, f.code(), f.err());
            float[] o;
            try (SafeTensors st = SafeTensors.open(out)) {
                o = st.get("o").floats();
                assertEquals(List.of(2L, (long) test.N(), 16L), java.util.Arrays.stream(st.get("h_n").shape()).boxed().toList());
            }
            // ... gives the outputs of the trainer's batched forward pass on the same model
            float[] y = new float[test.N() * Digits.Images.K];
            for (int s = 0; s < test.N(); s++) y[s * Digits.Images.K + test.labels()[s]] = 1;
            BatchedGradients trainer = BatchedGradients.compute(Blas.get(), SegmentOps.get(), m, test.x(), test.N(), Digits.Images.T, null, y,
                    Topology.MANY_TO_ONE, Loss.CE);
            double err = Oracle.err(o, trainer.o());
            assertTrue(err <= 1e-5, "forward against the trainer's outputs: normalized error " + err);
            // and the accuracy the trainer printed
            int right = 0;
            for (int s = 0; s < test.N(); s++) {
                int at = (s * Digits.Images.T + Digits.Images.T - 1) * Digits.Images.K, best = 0;
                for (int c = 1; c < Digits.Images.K; c++) if (o[at + c] > o[at + best]) best = c;
                if (best == test.labels()[s]) right++;
            }
            assertEquals(printed, String.format(Locale.ROOT, "%.4f", (double) right / test.N()));
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "--layers|0|--layers must be 1 to 8, not 0",
            "--layers|9|--layers must be 1 to 8, not 9",
            "--nonlinearity|sigmoid|--nonlinearity must be tanh or relu, not 'sigmoid'"})
    void badModelOptionsExit2(String option, String value, String message, @TempDir Path dir) {
        Path model = dir.resolve("m.safetensors");
        TrainCommandTest.Run r = run("train", "--task", "digits", "--epochs", "1", option, value, "--output", model.toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains(message), r.err());
        assertTrue(Files.notExists(model));
    }

    @Test
    void aModelTooLargeForTheHeapIsAUsageError(@TempDir Path dir) {
        Path model = dir.resolve("m.safetensors");
        TrainCommandTest.Run r = run("train", "--task", "digits", "--hidden", "16384", "--layers", "8", "--output", model.toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--hidden 16384 with --layers 8 needs about 154618822656 bytes of heap"), r.err());
        assertTrue(Files.notExists(model));
    }

    @Test
    void resumeWithOtherLayersIsRefusedInOneLine(@TempDir Path dir) {
        Path model = dir.resolve("m.safetensors"), ck = dir.resolve("m.safetensors.ckpt");
        TrainCommandTest.Run first = run("train", "--task", "digits", "--layers", "2", "--nonlinearity", "relu", "--hidden", "8", "--epochs", "1",
                "--keep-checkpoint", "--output", model.toString());
        assertEquals(0, first.code(), first.err());
        assertTrue(Files.exists(ck));
        TrainCommandTest.Run again = run("train", "--task", "digits", "--hidden", "8", "--epochs", "2", "--resume", "--output", model.toString());
        assertEquals(1, again.code(), again.err());
        assertEquals(1, again.err().strip().lines().count(), again.err());
        assertTrue(again.err().contains(ck.toString()) && again.err().contains("resume with --layers 2 --nonlinearity relu"), again.err());
    }

    @Test
    void benchTrainsStackedAndReluModels() {
        TrainCommandTest.Run t = run("bench", "--workload", "train", "--n", "3", "--d", "5", "--k", "2", "--batch", "4", "--steps", "6",
                "--layers", "2", "--nonlinearity", "relu");
        assertEquals(0, t.code(), t.err());
        assertTrue(t.out().matches("workload=train n=3 d=5 k=2 weights=fp32 steps_per_s=[0-9.]+ layers=2 nonlinearity=relu\\R"), t.out());
    }
}
