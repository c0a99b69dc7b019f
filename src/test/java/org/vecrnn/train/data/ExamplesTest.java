package org.vecrnn.train.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.vecrnn.Oracle;
import org.vecrnn.blas.Blas;
import org.vecrnn.infer.InferenceModel;
import org.vecrnn.kernel.SegmentOps;
import org.vecrnn.model.ElmanRnn;
import org.vecrnn.model.Output;
import org.vecrnn.train.BatchedBptt;
import org.vecrnn.train.Optimizer;
import org.vecrnn.train.ParamBuffers;
import org.vecrnn.train.Progress;
import org.vecrnn.train.Schedule;
import org.vecrnn.train.Trainer;

/** The founding notes' one-to-many and 3-class many-to-one examples, trained on real data. */
class ExamplesTest {

    static Trainer.Result train(Task task, int hidden, int epochs, long seed) {
        Trainer.Config c = new Trainer.Config(hidden, epochs, 0.003f, Optimizer.Kind.ADAM, 0.9f, 5f, seed, Schedule.Kind.CONSTANT, 0, 0);
        return new Trainer(c, Blas.get(), SegmentOps.get(), Progress.silent())
                .train(task.train(), task.validation(), task.output(), task.loss(), null, false);
    }

    @Test
    void captionsOfTheDigitsImages() {
        try (Captions task = new Captions(64, 1, 32)) {
            assertArrayEquals(new int[] {1, 2, 10, 0}, Captions.caption(7));
            assertEquals("a handwritten seven", Captions.words(Captions.caption(7)));
            Trainer.Result r = train(task, 64, 30, 1);
            try (ElmanRnn model = ElmanRnn.of(Captions.N_IN, 64, Captions.V, Output.SOFTMAX, r.params());
                 InferenceModel im = InferenceModel.of(model)) {
                double exact = Captions.exactCaptions(im.newStream(), task.testImages());
                System.out.printf("captions: %.4f of %d test images captioned exactly%n", exact, task.testImages().rows());
                assertTrue(exact >= 0.90, "exact captions " + exact);
            }
        }
    }

    @Test
    void trendsOfTheSunspotSeriesBeatTheMajorityClass() {
        Path sunspots = Oracle.shared().resolve("data/sunspot_month.csv");
        assumeTrue(Files.exists(sunspots), "the sunspot series is read from ../shared/data (not bundled: non-commercial terms)");
        try (Trends task = new Trends(sunspots, 36, 3, 32, 1, 32)) {
            Trainer.Result r = train(task, 32, 40, 1);
            try (ParamBuffers p = ParamBuffers.of(r.params(), 1, 32, 3);
                 BatchedBptt bptt = new BatchedBptt(Blas.get(), SegmentOps.get(), 1, 32, 3, Output.SOFTMAX)) {
                long[][] c = task.confusion(bptt, p);
                System.out.print(Trends.table(c));
                long right = c[0][0] + c[1][1] + c[2][2], total = 0, majority = 0;
                for (long[] row : c) {
                    long s = row[0] + row[1] + row[2];
                    total += s;
                    majority = Math.max(majority, s);
                }
                double acc = (double) right / total, base = (double) majority / total;
                System.out.printf("trends: accuracy %.4f, majority class %.4f%n", acc, base);
                assertTrue(acc >= base + 0.25, "accuracy " + acc + " against the majority class " + base);
            }
        }
    }
}
