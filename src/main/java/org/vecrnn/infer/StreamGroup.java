package org.vecrnn.infer;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import org.vecrnn.kernel.Activation;
import org.vecrnn.kernel.StepKernel;

/**
 * Steps many streams of one model in one pass over its weights (the step kernel's grouped step): for a service
 * holding many live streams, a group of m reads the weights once where m single steps read them m times.
 * Made by {@link InferenceModel#newGroup}; any of the model's streams may take part in any call, so streams
 * join and leave simply by being passed or not. A group holds only the references of one call (no copies of
 * h), so it allocates nothing per step; like a {@link StreamState}, it is used by one thread at a time.
 *
 * <p>Each stream's result is the same, bit for bit, as {@link StreamState#step} on that stream alone: the
 * grouped kernels compute every output with the single step's operations in its order (tested in
 * GroupStepTest and StreamGroupTest).
 */
public final class StreamGroup {
    /** Numbers each call, so that a stream given twice in one call is found in one pass. */
    private static final AtomicLong CALLS = new AtomicLong();
    private final StepKernel[] layers;
    private final StepKernel kernel, top;
    private final Activation g;
    private final int capacity, n, k;
    /** References of one call: each stream's h and next h of the layer being stepped (next alternates between two arrays, as the layer above reads it), input and z. */
    private final float[][] h, x, nextA, nextB, z;
    private final RuntimeException[] errors;

    StreamGroup(StepKernel[] layers, Activation g, int capacity) {
        if (capacity < 1 || capacity > 4096) throw new IllegalArgumentException("a group holds 1 to 4096 streams, not " + capacity);
        this.layers = layers.clone();
        this.kernel = layers[0];
        this.top = layers[layers.length - 1];
        this.g = g;
        this.capacity = capacity;
        this.n = kernel.n();
        this.k = top.k();
        h = new float[capacity][];
        x = new float[capacity][];
        nextA = new float[capacity][];
        nextB = new float[capacity][];
        z = new float[capacity][];
        errors = new RuntimeException[capacity];
    }

    /** {@return the most streams one call may step} */
    public int capacity() {
        return capacity;
    }

    /**
     * One step of streams[0, m), each on its own input: as {@code streams[i].step(xs[i], outs[i])} for every
     * i, in one pass over the weights. Every argument is checked before any state changes: m within the
     * capacity and the arrays, each stream of this model and given once, each x of n finite values, each out
     * of at least k values (else IllegalArgumentException naming the stream); no stream in use by another
     * thread (else IllegalStateException). A stream whose new state or output would not be finite keeps its
     * state and its out is untouched, the others step, and the call then throws that stream's
     * {@link NonFiniteStateException} (the rule of {@link StreamState#step}).
     *
     * @param streams the streams; the first m are stepped
     * @param xs their inputs, xs[i] for streams[i]
     * @param outs receive their outputs
     * @param m how many streams step, 0 to the capacity
     * @throws IllegalArgumentException naming the stream whose argument is wrong, before any state changes
     * @throws IllegalStateException when a stream is in use by another thread
     * @throws NonFiniteStateException for the first stream whose step would not be finite, after the others stepped
     */
    public void step(StreamState[] streams, float[][] xs, float[][] outs, int m) {
        int failed = step(streams, xs, outs, m, errors);
        if (failed == 0) return;
        RuntimeException first = null;
        for (int i = 0; i < m && first == null; i++) first = errors[i];
        Arrays.fill(errors, 0, m, null);
        throw first;
    }

    /**
     * The same, but a stream whose step fails leaves its state unchanged and its exception in errors[i] (null
     * where it stepped); the others step. Argument errors of the call as a whole are thrown. Returns how
     * many failed.
     */
    int step(StreamState[] streams, float[][] xs, float[][] outs, int m, RuntimeException[] errors) {
        check(streams, xs, outs, m);
        int failed = 0;
        try {
            for (int i = 0; i < m; i++) {
                x[i] = streams[i].networkInput(xs[i]);
                z[i] = streams[i].z();
                errors[i] = null;
            }
            // layer by layer, each a grouped step over all m streams; the layer above reads this one's new h
            float[][] in = x;
            for (int l = 0; l < layers.length; l++) {
                float[][] next = (l & 1) == 0 ? nextA : nextB;
                for (int i = 0; i < m; i++) {
                    h[i] = streams[i].h(l);
                    next[i] = streams[i].hNext(l);
                }
                layers[l].stepGroup(h, in, next, m);
                for (int i = 0; i < m; i++)
                    if (errors[i] == null) errors[i] = Steps.nonFiniteHidden(layers[l], next[i], layers[l].d(), l, layers.length);
                in = next;
            }
            top.headGroup(in, z, m);
            for (int i = 0; i < m; i++) {
                if (errors[i] == null) errors[i] = Steps.nonFiniteOutput(top, z[i], k);
                if (errors[i] != null) {
                    failed++;
                    continue;
                }
                streams[i].advance();
                g.apply(z[i], 0, outs[i], 0, k);
                streams[i].userOutput(xs[i], outs[i]);
            }
        } finally {
            for (int i = 0; i < m; i++) streams[i].leave();
            // no references kept between calls: a stream that left can be collected
            Arrays.fill(h, 0, m, null);
            Arrays.fill(nextA, 0, m, null);
            Arrays.fill(nextB, 0, m, null);
            Arrays.fill(z, 0, m, null);
            Arrays.fill(x, 0, m, null);
        }
        return failed;
    }

    private void check(StreamState[] streams, float[][] xs, float[][] outs, int m) {
        if (streams == null || xs == null || outs == null) throw new IllegalArgumentException("null array");
        if (m < 0 || m > capacity) throw new IllegalArgumentException("m=" + m + " streams, the group holds 0 to " + capacity);
        if (m > streams.length || m > xs.length || m > outs.length)
            throw new IllegalArgumentException("m=" + m + " streams, but the arrays hold " + streams.length + ", " + xs.length + " and " + outs.length);
        for (int i = 0; i < m; i++) {
            StreamState s = streams[i];
            if (s == null) throw new IllegalArgumentException("stream " + i + " is null");
            if (s.kernel() != kernel) throw new IllegalArgumentException("stream " + i + " belongs to another model");
            Steps.checkInput(kernel, xs[i], n, "stream " + i + ": ");
            if (outs[i] == null || outs[i].length < k)
                throw new IllegalArgumentException("stream " + i + ": out has room for " + (outs[i] == null ? 0 : outs[i].length) + " values, the model gives k=" + k);
        }
        // each stream taken for the call (StreamState's one-thread guard); on a refusal, those taken are let go
        long mark = CALLS.incrementAndGet();
        for (int i = 0; i < m; i++) {
            StreamState s = streams[i];
            if (!s.tryEnter()) {
                for (int j = 0; j < i; j++) streams[j].leave();
                if (s.groupMark == mark) throw new IllegalArgumentException("stream " + i + " is given twice in one call");
                throw new IllegalStateException("stream " + i + " is in use by another thread; a stream has one user at a time");
            }
            s.groupMark = mark;
        }
    }
}
