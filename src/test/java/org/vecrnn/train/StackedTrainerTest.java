package org.vecrnn.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.vecrnn.VecrnnException;
import org.vecrnn.blas.Blas;
import org.vecrnn.kernel.SegmentOps;
import org.vecrnn.model.Loss;
import org.vecrnn.model.Nonlinearity;
import org.vecrnn.model.Output;
import org.vecrnn.model.Parameters;
import org.vecrnn.model.Topology;

/** Training stacked and ReLU models: the loss falls, a resumed run ends where a whole one does, checkpoints know their model. */
class StackedTrainerTest {
    static final int N = 100, T = 6, n = 3, d = 16, k = 2;

    static Trainer trainer(int epochs, int layers, Nonlinearity f) {
        return new Trainer(new Trainer.Config(d, epochs, 0.01f, Optimizer.Kind.ADAM, 0.9f, 1f, 7, Schedule.Kind.COSINE, 0, 0, layers, f),
                Blas.get(), SegmentOps.get(), Progress.silent());
    }

    /** TrainerTest's toy task (a running sum's sign from noise) for a model of {@code layers} layers. */
    static SequenceSet toy(int seed, int layers) {
        Random r = new Random(seed);
        float[] x = new float[N * T * n], y = new float[N * T * k];
        for (int s = 0; s < N; s++) {
            float sum = 0;
            for (int t = 0; t < T; t++) {
                for (int j = 0; j < n; j++) sum += x[(s * T + t) * n + j] = (float) r.nextGaussian();
                y[(s * T + t) * k + (sum > 0 ? 0 : 1)] = 1;
            }
        }
        return new SequenceSet(N, T, n, k, Topology.MANY_TO_MANY, x, y, d, layers, 16, true);
    }

    static double loss(Parameters p, int layers, Nonlinearity f, SequenceSet data) {
        try (ParamBuffers w = ParamBuffers.of(p, n, d, k); BatchedBptt bptt = new BatchedBptt(Blas.get(), SegmentOps.get(), n, d, k, layers, f, Output.SOFTMAX)) {
            return Trainer.evaluate(bptt, w, data, Loss.CE);
        }
    }

    @ParameterizedTest(name = "L={0} {1}")
    @CsvSource({"1, relu", "2, relu", "3, tanh"})
    void trainingLowersTheLoss(int layers, String nonlinearity) {
        Nonlinearity f = Nonlinearity.parse(nonlinearity);
        try (SequenceSet data = toy(11, layers)) {
            Trainer.Result r = trainer(8, layers, f).train(data, null, Output.SOFTMAX, Loss.CE, null, false);
            assertEquals(layers, r.params().layers());
            double before = loss(Trainer.init(n, d, k, layers, 7), layers, f, data), after = loss(r.params(), layers, f, data);
            assertTrue(after < 0.8 * before, "loss per step " + before + " before, " + after + " after 8 epochs");
        }
    }

    @ParameterizedTest(name = "L={0} {1}")
    @CsvSource({"2, relu", "3, tanh"})
    void resumedRunEqualsUninterruptedOne(int layers, String nonlinearity, @TempDir Path dir) {
        Nonlinearity f = Nonlinearity.parse(nonlinearity);
        Path ck = dir.resolve("ck");
        Parameters whole, resumed;
        try (SequenceSet data = toy(2, layers); SequenceSet val = toy(3, layers)) {
            whole = trainer(4, layers, f).train(data, val, Output.SOFTMAX, Loss.CE, dir.resolve("other"), false).params();
            Trainer t = trainer(4, layers, f);
            assertThrows(IllegalStateException.class, () -> t.train(new TrainerTest.FailingData(data, 2), val, Output.SOFTMAX, Loss.CE, ck, false));
            assertTrue(Files.exists(ck));
            Trainer.Result r = t.train(data, val, Output.SOFTMAX, Loss.CE, ck, true);
            resumed = r.params();
            assertEquals(4, r.epochsRun());
        }
        assertEquals(layers, resumed.layers());
        assertEquals(whole, resumed, "resume from epoch 2 ends where the uninterrupted run does");
    }

    @ParameterizedTest(name = "resume L={0} {1} from a checkpoint of 2 relu layers")
    @CsvSource({"1, tanh", "2, tanh", "3, relu"})
    void resumeRefusesAnotherModel(int layers, String nonlinearity, @TempDir Path dir) {
        Path ck = dir.resolve("ck");
        try (SequenceSet data = toy(2, 2)) {
            trainer(1, 2, Nonlinearity.RELU).train(data, null, Output.SOFTMAX, Loss.CE, ck, false);
        }
        try (SequenceSet data = toy(2, layers)) {
            VecrnnException e = assertThrows(VecrnnException.class,
                    () -> trainer(2, layers, Nonlinearity.parse(nonlinearity)).train(data, null, Output.SOFTMAX, Loss.CE, ck, true));
            assertTrue(e.getMessage().startsWith(ck.toString()), e.getMessage());
            assertTrue(e.getMessage().contains("was written for a model of 2 relu layers"), e.getMessage());
            assertTrue(e.getMessage().contains("resume with --layers 2 --nonlinearity relu"), e.getMessage());
        }
    }
}
