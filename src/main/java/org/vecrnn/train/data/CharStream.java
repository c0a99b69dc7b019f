package org.vecrnn.train.data;

import org.vecrnn.model.Topology;
import org.vecrnn.train.Batch;
import org.vecrnn.train.BatchedBptt;
import org.vecrnn.train.TrainingData;

/**
 * A text as B parallel streams for truncated BPTT: the symbols are cut into B contiguous parts; window i of
 * every part covers positions [i·stride, i·stride + T), one-hot inputs, the next symbol as target. The hidden
 * state at step {@code stride} of one window is the h0 of the next, so context flows across windows while
 * gradients stop at window edges. With stride < T windows overlap and only their last {@code stride} steps
 * carry targets (each symbol is predicted once).
 */
final class CharStream implements TrainingData {
    private final byte[] symbols; // indices into the vocabulary
    private final int from, vocab, B, T, stride, d, part, windows;
    private final Batch batch;
    private final float[] oneHot;

    CharStream(byte[] symbols, int from, int to, int vocab, int B, int T, int stride, int d, int layers) {
        if (B < 1 || T < 1 || stride < 1 || stride > T) throw new IllegalArgumentException("need B >= 1, T >= 1 and 1 <= stride <= T");
        this.symbols = symbols;
        this.from = from;
        this.vocab = vocab;
        this.T = T;
        this.stride = stride;
        this.d = d;
        // each part needs T inputs plus one target past them
        int len = to - from - 1;
        int b = B;
        while (b > 1 && len / b < T) b--;
        if (len / b < T) throw new IllegalArgumentException("text of " + (to - from) + " symbols is shorter than one window of " + T);
        this.B = b;
        this.part = len / b;
        this.windows = (part - T) / stride + 1;
        this.batch = new Batch(this.B, T, vocab, d, layers, vocab, Topology.MANY_TO_MANY);
        this.oneHot = new float[vocab];
    }

    @Override public int n() { return vocab; }
    @Override public int k() { return vocab; }
    @Override public int batches() { return windows; }

    @Override
    public void startEpoch(int epoch, long seed) {
        batch.h0().fill((byte) 0);
    }

    @Override
    public Batch batch(int i) {
        for (int s = 0; s < B; s++) {
            int base = from + s * part + i * stride;
            for (int t = 0; t < T; t++) {
                set(symbols[base + t]);
                batch.setX(s, t, oneHot, 0);
                set(symbols[base + t + 1]);
                batch.setY(s, t, oneHot, 0);
            }
        }
        batch.targetFrom(i == 0 ? 0 : T - stride);
        return batch;
    }

    private void set(byte symbol) {
        java.util.Arrays.fill(oneHot, 0);
        oneHot[symbol & 0xff] = 1;
    }

    @Override
    public void afterBatch(int i, BatchedBptt bptt) {
        bptt.copyState(stride, batch.h0());
    }

    @Override
    public int examples(int i) {
        return B * (i == 0 ? T : stride);
    }

    @Override
    public long targets(int i) {
        return examples(i);
    }

    @Override
    public void close() {
        batch.close();
    }
}
