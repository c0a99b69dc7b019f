package org.vecrnn.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.vecrnn.blas.Blas;
import org.vecrnn.generate.Generator;
import org.vecrnn.generate.TokenInput;
import org.vecrnn.infer.InferenceModel;
import org.vecrnn.infer.StreamState;
import org.vecrnn.model.ElmanRnn;
import org.vecrnn.model.Nonlinearity;
import org.vecrnn.quant.Int8Scheme;
import org.vecrnn.quant.QuantizedRnn;
import org.vecrnn.quant.Quantizer;
import org.vecrnn.train.Optimizer;
import org.vecrnn.train.Progress;
import org.vecrnn.train.Schedule;
import org.vecrnn.train.Trainer;
import org.vecrnn.train.data.Captions;
import org.vecrnn.train.data.Chars;
import org.vecrnn.train.data.Digits;
import org.vecrnn.train.data.Task;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The tour of vecrnn on the bundled data, in under a minute: train the digits classifier, quantize it to
 * int8, stream the test images step by step through both, caption digits, write some text, and train the
 * digits again on a stacked ReLU model.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Train, quantize, stream and generate text on the bundled data.",
                "In under a minute: the digits classifier (many-to-one), its int8 twin, per-step streaming latency, "
                        + "digit captions (one-to-many), text from a character model (many-to-many) and the digits on "
                        + "two stacked ReLU layers."})
final class DemoCommand implements Callable<Integer> {
    static final int DIGITS_HIDDEN = 64, CAPTIONS_HIDDEN = 64, CHARS_HIDDEN = 128;
    /** The character model trains for this long at most: enough for readable words, not for good text. */
    static final double CHARS_SECONDS = 25;
    /** The stacked stage: the digits on this many ReLU layers of DIGITS_HIDDEN units, for STACKED_EPOCHS epochs. */
    static final int STACKED_LAYERS = 2, STACKED_EPOCHS = 10;

    @Option(names = "--report", paramLabel = "DIR", description = "Also write each training's loss and accuracy per epoch to DIR/digits, DIR/captions, DIR/chars and DIR/stacked (epochs.csv, loss.png, accuracy.png).")
    Path report;

    @Spec
    CommandSpec spec;

    private PrintWriter out;

    @Override
    public Integer call() {
        out = spec.commandLine().getOut();
        long start = System.nanoTime();
        Blas.setThreads(1);
        digits();
        captions();
        text();
        stacked();
        say("");
        say("demo finished in %.1f s", (System.nanoTime() - start) * 1e-9);
        return 0;
    }

    /** 1-3: train, quantize, stream. */
    private void digits() {
        say("== 1. Digits: 8x8 images read as 8 steps of 8 pixels, many-to-one, 10 classes");
        say("   training: hidden %d, Adam lr 0.003, batch 32, 30 epochs (progress on stderr)", DIGITS_HIDDEN);
        Trainer.Result r;
        try (Digits task = new Digits(DIGITS_HIDDEN, 1, 32, 0, 1)) {
            r = train(task, "digits", DIGITS_HIDDEN, 1, Nonlinearity.TANH, 30, 0, "seq");
        }
        Digits.Images test = Digits.testImages();
        try (ElmanRnn fp32 = ElmanRnn.of(Digits.Images.N_IN, DIGITS_HIDDEN, Digits.Images.K, org.vecrnn.model.Output.SOFTMAX, r.params());
             QuantizedRnn q = Quantizer.quantize(fp32, Int8Scheme.DEFAULT);
             InferenceModel f = InferenceModel.of(fp32);
             InferenceModel i8 = InferenceModel.of(q)) {
            double accF = accuracy(f, test), accQ = accuracy(i8, test);
            say("   trained in %.2f s; test accuracy fp32 %.4f on %d images", r.trainSeconds(), accF, test.N());
            say("");
            say("== 2. int8 weights (%s: one scale per row)", q.scheme().id());
            say("   model bytes: fp32 %,d, int8 %,d (%.1fx smaller)", fp32.bytes(), q.bytes(), (double) fp32.bytes() / q.bytes());
            say("   test accuracy: fp32 %.4f, int8 %.4f (%+.2f points)", accF, accQ, 100 * (accQ - accF));
            say("");
            say("== 3. Streaming: the test images one step (one row) at a time, each step timed");
            // at d = 64 the fp32 weights (21 KB) sit in L1 and fp32 wins; int8 pays off once they spill (bench/README.md)
            for (InferenceModel m : new InferenceModel[] {f, i8}) {
                StepLatency l = StepLatency.measure(m, test.x(), test.N(), Digits.Images.T, 20);
                say("   %-5s p50 %,6.0f ns  p99 %,7.0f ns  %,10.0f steps/s  (%s)", m == f ? "fp32" : "int8",
                        l.p50Nanos(), l.p99Nanos(), l.stepsPerSecond(), m.describeStep());
            }
        }
    }

    /** Streams each image through a fresh state and takes the class of the last step's output. */
    static double accuracy(InferenceModel m, Digits.Images images) {
        StreamState s = m.newStream();
        int n = Digits.Images.N_IN, T = Digits.Images.T;
        float[] x = new float[n], o = new float[m.k()];
        int right = 0;
        for (int i = 0; i < images.N(); i++) {
            s.reset();
            for (int t = 0; t < T; t++) {
                System.arraycopy(images.x(), (i * T + t) * n, x, 0, n);
                s.step(x, o);
            }
            if (Generator.argmax(o) == images.labels()[i]) right++;
        }
        return (double) right / images.N();
    }

    /** 4: one-to-many captions of test images. */
    private void captions() {
        say("");
        say("== 4. Captions (one-to-many): image in, words out, each word fed back as the next input");
        try (Captions task = new Captions(CAPTIONS_HIDDEN, 1, 32)) {
            Trainer.Result r = train(task, "captions", CAPTIONS_HIDDEN, 1, Nonlinearity.TANH, 30, 0, "seq");
            try (ElmanRnn model = ElmanRnn.of(task.train().n(), CAPTIONS_HIDDEN, task.train().k(), task.output(), r.params());
                 InferenceModel im = InferenceModel.of(model)) {
                StreamState s = im.newStream();
                for (int row = 0; row < 6; row++)
                    say("   test image %d (digit %s): \"%s\"", row, Captions.WORDS.get(3 + task.testImages().label(row, 0, 10)),
                            Captions.words(Captions.generate(s, task.testImages(), row)));
                say("   exactly right captions: %.4f of %d test images (trained in %.2f s)",
                        Captions.exactCaptions(s, task.testImages()), task.testImages().rows(), r.trainSeconds());
            }
        }
    }

    /** 5: a character model, trained briefly, writes text. */
    private void text() {
        say("");
        say("== 5. Text (many-to-many): a character model of The Devil's Dictionary, %.0f s of training, hidden %d", CHARS_SECONDS, CHARS_HIDDEN);
        try (Chars task = new Chars(CHARS_HIDDEN, 1, 32, 64, 64)) {
            Trainer.Result r = train(task, "chars", CHARS_HIDDEN, 1, Nonlinearity.TANH, 12, CHARS_SECONDS, "char");
            String vocab = task.vocabulary();
            try (ElmanRnn model = ElmanRnn.of(vocab.length(), CHARS_HIDDEN, vocab.length(), task.output(), r.params());
                 InferenceModel im = InferenceModel.of(model)) {
                Generator g = new Generator(im.newStream(), TokenInput.oneHot(), -1, 320);
                float[] x1 = new float[vocab.length()];
                x1[vocab.indexOf('\n')] = 1;
                int[] tokens = g.sample(new float[CHARS_HIDDEN], x1, 0.7, new SplittableRandom(2026));
                StringBuilder text = new StringBuilder();
                for (int t : tokens) text.append(vocab.charAt(t));
                say("   after %d epochs (%.1f s): %.2f bits per character on the last 10 %% of the text; a sample at temperature 0.7:",
                        r.epochsRun(), r.trainSeconds(), r.bestVal() / Math.log(2));
                for (String line : text.toString().split("\n")) say("   | %s", line);
            }
        }
    }

    /** 6: the digits again, on a stacked ReLU model (PyTorch's nn.RNN(num_layers=2, nonlinearity='relu')), fp32 and int8. */
    private void stacked() {
        say("");
        say("== 6. Stacked: the digits on %d ReLU layers of %d, as PyTorch's nn.RNN(num_layers=%d, nonlinearity='relu')",
                STACKED_LAYERS, DIGITS_HIDDEN, STACKED_LAYERS);
        Trainer.Result r;
        try (Digits task = new Digits(DIGITS_HIDDEN, STACKED_LAYERS, 32, 0, 1)) {
            r = train(task, "stacked", DIGITS_HIDDEN, STACKED_LAYERS, Nonlinearity.RELU, STACKED_EPOCHS, 0, "seq");
        }
        Digits.Images test = Digits.testImages();
        try (ElmanRnn fp32 = ElmanRnn.of(Digits.Images.N_IN, DIGITS_HIDDEN, Digits.Images.K, org.vecrnn.model.Output.SOFTMAX, Nonlinearity.RELU, r.params());
             QuantizedRnn q = Quantizer.quantize(fp32, Int8Scheme.DEFAULT);
             InferenceModel f = InferenceModel.of(fp32);
             InferenceModel i8 = InferenceModel.of(q)) {
            say("   trained in %.2f s (%d epochs); the test images streamed through both layers: accuracy fp32 %.4f, int8 %.4f",
                    r.trainSeconds(), STACKED_EPOCHS, accuracy(f, test), accuracy(i8, test));
        }
    }

    private Trainer.Result train(Task task, String name, int hidden, int layers, Nonlinearity f, int epochs, double maxSeconds, String unit) {
        Trainer.Config c = new Trainer.Config(hidden, epochs, 0.003f, Optimizer.Kind.ADAM, 0.9f, 5f, 1,
                maxSeconds > 0 ? Schedule.Kind.COSINE : Schedule.Kind.CONSTANT, 0, maxSeconds, layers, f);
        Trainer trainer = new Trainer(c, Blas.get(), Trainer.segmentOps(epochs, task.train(), layers * hidden), Progress.forStderr(unit));
        TrainingReport charts = report == null ? null : new TrainingReport(report.resolve(name), "demo " + name, task.loss(),
                "hidden " + hidden + (layers > 1 ? " x " + layers + " layers, " + f.id() : ""));
        if (charts != null) trainer.onEpoch(charts);
        Trainer.Result r = trainer.train(task.train(), task.validation(), task.output(), task.loss(), null, false);
        if (charts != null) charts.finish();
        return r;
    }

    private void say(String format, Object... args) {
        out.println(String.format(Locale.ROOT, format, args));
        out.flush();
    }
}
