package org.vecrnn.train.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.vecrnn.generate.Decoder;
import org.vecrnn.generate.Generator;
import org.vecrnn.generate.TokenInput;
import org.vecrnn.infer.InferenceModel;
import org.vecrnn.model.ElmanRnn;
import org.vecrnn.model.Loss;
import org.vecrnn.model.Output;
import org.vecrnn.model.Topology;
import org.vecrnn.train.BatchedBptt;
import org.vecrnn.train.ParamBuffers;
import org.vecrnn.train.SequenceSet;
import org.vecrnn.train.TrainingData;

/**
 * One-to-many captioning, as in the founding notes (visual features in, a sentence out), on the digits
 * images: x_1 is the image (64 pixels / 16), and the model writes "a handwritten seven &lt;end&gt;" one word
 * per step. Each later input is the word written at the step before, as a one-hot vector beside 64 zeros,
 * so one input space holds both: x ∈ R^(64 + V).
 *
 * <p>Trained with teacher forcing (many-to-many on the reference captions: the right previous word is fed
 * whatever the model would have said), used as one-to-many: {@link #generate} feeds back its own words.
 * The figure is the share of test images whose greedy caption is exactly right.
 */
public final class Captions implements Task {
    public static final List<String> WORDS = List.of("<end>", "a", "handwritten",
            "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine");
    static final int END = 0, PIXELS = 64, V = WORDS.size(), N_IN = PIXELS + V, T = 4, MAX_LENGTH = 8;

    private final SequenceSet train;
    private final CsvTable test;
    public Captions(int hidden, int layers, int batch) {
        this.train = teacherForced(Bundled.csv("digits_train.csv"), hidden, layers, batch);
        this.test = Bundled.csv("digits_test.csv");
    }

    /** The reference caption of a digit, as word indices ending with &lt;end&gt;. */
    static int[] caption(int digit) {
        return new int[] {1, 2, 3 + digit, END};
    }

    public static String words(int[] tokens) {
        List<String> w = new ArrayList<>();
        for (int t : tokens) if (t != END) w.add(WORDS.get(t));
        return String.join(" ", w);
    }

    /** x_1 for an image: its pixels / 16, then zeros where later steps hold the previous word. */
    static float[] imageInput(CsvTable t, int r) {
        float[] x = new float[N_IN];
        for (int p = 0; p < PIXELS; p++) {
            float v = t.number(r, 1 + p);
            if (v < 0 || v > 16) throw t.error(r, "column " + (p + 2) + ": pixel " + v + " outside 0..16");
            x[p] = v / 16f;
        }
        return x;
    }

    /** Later inputs: the previous word as a one-hot vector after 64 zero pixels. */
    static TokenInput wordInput() {
        return (token, x) -> {
            java.util.Arrays.fill(x, 0f);
            x[PIXELS + token] = 1f;
        };
    }

    private static SequenceSet teacherForced(CsvTable t, int hidden, int layers, int batch) {
        int N = t.rows();
        float[] x = new float[N * T * N_IN], y = new float[N * T * V];
        TokenInput word = wordInput();
        float[] step = new float[N_IN];
        for (int r = 0; r < N; r++) {
            int[] cap = caption(t.label(r, 0, 10));
            System.arraycopy(imageInput(t, r), 0, x, r * T * N_IN, N_IN);
            for (int s = 0; s < T; s++) {
                if (s > 0) {
                    word.write(cap[s - 1], step);
                    System.arraycopy(step, 0, x, (r * T + s) * N_IN, N_IN);
                }
                y[(r * T + s) * V + cap[s]] = 1;
            }
        }
        return new SequenceSet(N, T, N_IN, V, Topology.MANY_TO_MANY, x, y, hidden, layers, batch, true);
    }

    /** The greedy caption of test image r. */
    public static int[] generate(Decoder decoder, CsvTable images, int r) {
        Generator g = new Generator(decoder, wordInput(), END, MAX_LENGTH);
        return g.greedy(new float[decoder.stateSize()], imageInput(images, r));
    }

    /** The share of images whose greedy caption equals the reference exactly. */
    public static double exactCaptions(Decoder decoder, CsvTable images) {
        int right = 0;
        for (int r = 0; r < images.rows(); r++)
            if (java.util.Arrays.equals(generate(decoder, images, r), caption(images.label(r, 0, 10)))) right++;
        return (double) right / images.rows();
    }

    public CsvTable testImages() {
        return test;
    }

    @Override public String name() { return "captions"; }
    @Override public TrainingData train() { return train; }
    @Override public TrainingData validation() { return null; }
    @Override public Output output() { return Output.SOFTMAX; }
    @Override public Loss loss() { return Loss.CE; }

    @Override
    public String figure(BatchedBptt bptt, ParamBuffers params) {
        try (ElmanRnn model = params.toModel(Output.SOFTMAX, bptt.f); InferenceModel im = InferenceModel.of(model)) {
            return String.format(Locale.ROOT, "exact_captions=%.4f", exactCaptions(im.newStream(), test));
        }
    }

    @Override
    public Map<String, String> metadata() {
        return Map.of("task", "captions", "topology", "one-to-many", "input_description", "64 pixels / 16, then a one-hot word",
                "vocabulary", String.join(" ", WORDS));
    }
}
