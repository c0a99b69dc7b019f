package org.vecrnn.train.data;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import org.vecrnn.model.Loss;
import org.vecrnn.model.Output;
import org.vecrnn.train.BatchedBptt;
import org.vecrnn.train.ParamBuffers;
import org.vecrnn.train.Trainer;
import org.vecrnn.train.TrainingData;

/**
 * Character-level language model on Bierce's Devil's Dictionary: one-hot characters in, softmax over the
 * next character out (many-to-many, cross-entropy), truncated BPTT over {@code batch} parallel streams in
 * windows of {@code window} characters. The last 10 % of the text is the validation text; the figure is its
 * bits per character (mean cross-entropy in nats / ln 2), read with the state carried through 8 streams.
 */
public final class Chars implements Task {
    private final String vocabulary;
    private final CharStream train, val;

    public Chars(int hidden, int layers, int batch, int window, int stride) {
        byte[] text = Bundled.bytes("devils_dictionary.txt");
        boolean[] seen = new boolean[256];
        for (byte c : text) seen[c & 0xff] = true;
        byte[] index = new byte[256];
        StringBuilder vocab = new StringBuilder();
        for (int c = 0; c < 256; c++)
            if (seen[c]) {
                index[c] = (byte) vocab.length();
                vocab.append((char) c);
            }
        if (vocab.length() > 256) throw new IllegalStateException("more than 256 symbols");
        vocabulary = vocab.toString();
        byte[] symbols = new byte[text.length];
        for (int i = 0; i < text.length; i++) symbols[i] = index[text[i] & 0xff];
        int split = (int) Math.round(text.length * 0.9);
        train = new CharStream(symbols, 0, split, vocabulary.length(), batch, window, stride, hidden, layers);
        val = new CharStream(symbols, split, text.length, vocabulary.length(), 8, window, window, hidden, layers);
    }

    /** The symbols in index order: symbol i is the one-hot input and output i. */
    public String vocabulary() {
        return vocabulary;
    }

    @Override public String name() { return "chars"; }
    @Override public TrainingData train() { return train; }
    @Override public TrainingData validation() { return val; }
    @Override public Output output() { return Output.SOFTMAX; }
    @Override public Loss loss() { return Loss.CE; }

    @Override
    public String figure(BatchedBptt bptt, ParamBuffers params) {
        double nats = Trainer.evaluate(bptt, params, val, loss());
        return String.format(Locale.ROOT, "val_bpc=%.4f", nats / Math.log(2));
    }

    @Override
    public Map<String, String> metadata() {
        return Map.of("task", "chars", "topology", "many-to-many", "vocabulary", new String(vocabulary.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.ISO_8859_1));
    }
}
