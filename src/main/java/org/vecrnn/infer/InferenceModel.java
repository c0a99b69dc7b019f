package org.vecrnn.infer;

import java.nio.file.Path;
import java.util.Map;
import org.vecrnn.io.SafeTensors;
import org.vecrnn.model.Preprocessing;
import org.vecrnn.blas.Blas;
import org.vecrnn.io.ModelFile;
import org.vecrnn.io.QuantizedModelFile;
import org.vecrnn.kernel.Int8Kernels;
import org.vecrnn.quant.QuantizedRnn;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import org.vecrnn.kernel.Activation;
import org.vecrnn.kernel.BatchKernel;
import org.vecrnn.kernel.Kernels;
import org.vecrnn.kernel.StepKernel;
import org.vecrnn.model.ElmanRnn;
import org.vecrnn.model.Output;

/**
 * A model ready for inference: a {@link StepKernel} (fp32 or int8, scalar or Vector API) and the output
 * activation g, plus, for fp32, the {@link BatchKernel} that runs known sequences as matrix products, with
 * their input projection and head on OpenBLAS when the {@code blas} chooser loaded it ({@link BlasProducts}).
 * Immutable and shared by any number of threads; each stream keeps its own {@link StreamState}.
 * Closing frees the kernels' weight memory and must not race with their use.
 */
public final class InferenceModel implements AutoCloseable {
    private final StepKernel step;
    private final BatchKernel batch;
    private final BlasProducts blas;
    private final Output g;
    private final Activation act;
    /** What training did to the inputs (from the model file's metadata), applied on the way in and out. */
    private final Preprocessing pre;
    /** Batch runners not in use, with their scratch: at most one per caller that ran at the same time. */
    private final ConcurrentLinkedQueue<BatchRunner> idle = new ConcurrentLinkedQueue<>();

    /** Any step kernel (an int8 one too); known sequences then run step by step through it. */
    public InferenceModel(StepKernel step, Output g) {
        this(step, null, null, requireOutput(g), Kernels.activation(g));
    }

    private static Output requireOutput(Output g) {
        if (g == null) throw new IllegalArgumentException("output activation is null");
        return g;
    }

    /** The factories below build every kernel from one model, so their sizes agree. */
    private InferenceModel(StepKernel step, BatchKernel batch, BlasProducts blas, Output g, Activation act) {
        this(step, batch, blas, g, act, Preprocessing.NONE);
    }

    private InferenceModel(StepKernel step, BatchKernel batch, BlasProducts blas, Output g, Activation act, Preprocessing pre) {
        this.pre = pre;
        this.step = step;
        this.batch = batch;
        this.blas = blas;
        this.g = g;
        this.act = act;
    }

    /**
     * The fp32 kernels chosen at start-up (Vector API when available; see {@link Kernels}); known sequences
     * run their input projection and head through OpenBLAS when {@link Blas} loaded it.
     */
    public static InferenceModel of(ElmanRnn model) {
        BlasProducts blas = Blas.openBlas().isPresent() ? new BlasProducts(model, Blas.get()) : null;
        return new InferenceModel(Kernels.stepKernel(model), Kernels.batchKernel(model), blas, model.output(), Kernels.activation(model.output()));
    }

    /** The kernel family alone, for known sequences too, OpenBLAS or not (tests, benchmarks). */
    public static InferenceModel javaKernels(ElmanRnn model) {
        return new InferenceModel(Kernels.stepKernel(model), Kernels.batchKernel(model), null, model.output(), Kernels.activation(model.output()));
    }

    /**
     * Any model file, fp32 or int8, ready to run with the kernels chosen at start-up, applying the input
     * preprocessing its metadata records ({@link Preprocessing}: what {@code vecrnn train} did to the inputs,
     * e.g. standardised differences), so inputs and outputs are in the user's units. The fp32 kernels copy
     * the weights and the int8 kernel owns its model, so nothing else needs to stay open.
     */
    public static InferenceModel load(Path path) {
        return load(path, true);
    }

    /**
     * The same; with {@code applyPreprocessing} false, inputs and outputs are exactly what the network
     * sees and gives (the metadata is still checked).
     */
    public static InferenceModel load(Path path, boolean applyPreprocessing) {
        InferenceModel m;
        Map<String, String> metadata;
        if (QuantizedModelFile.isQuantized(path)) {
            QuantizedRnn q = QuantizedModelFile.load(path);
            m = new InferenceModel(Int8Kernels.owning(q), q.output());
            try (SafeTensors st = SafeTensors.openConfined(path)) {
                metadata = st.metadata();
            }
        } else {
            ModelFile.Loaded loaded = ModelFile.read(path);
            try (ElmanRnn r = loaded.model()) {
                m = of(r);
            }
            metadata = loaded.metadata();
        }
        return applyPreprocessing ? m.withPreprocessing(Preprocessing.of(metadata, m.n(), m.k())) : m;
    }

    /** This model's kernels with {@code pre} applied to inputs and outputs; the new one owns the kernels. */
    private InferenceModel withPreprocessing(Preprocessing p) {
        return p.isNone() ? this : new InferenceModel(step, batch, blas, g, act, p);
    }

    /** The fp32 scalar reference kernels, whatever the chooser picked (tests, benchmarks). */
    public static InferenceModel scalar(ElmanRnn model) {
        return new InferenceModel(Kernels.scalarStepKernel(model), Kernels.scalarBatchKernel(model), null, model.output(), Activation.scalar(model.output()));
    }

    public int n() { return step.n(); }
    public int d() { return step.d(); }
    public int k() { return step.k(); }
    public Output output() { return g; }
    public StepKernel stepKernel() { return step; }
    /** What is applied to inputs and outputs (none unless loaded from a file whose metadata records some). */
    public Preprocessing preprocessing() { return pre; }

    /** What runs, for logs and benchmark lines. */
    public String describe() {
        return batch == null ? step.describe() : step.describe() + "; sequences: " + batch.describe()
                + (blas == null ? "" : ", input projection and head on " + blas.describe());
    }

    /**
     * A new stream with h = 0.
     * @throws IllegalStateException when the preprocessing needs whole sequences ({@link Preprocessing#streamable})
     */
    public StreamState newStream() {
        return new StreamState(step, act, pre.isNone() ? null : pre.newStream(n()));
    }

    /**
     * A group that steps up to {@code capacity} of this model's streams in one pass over the weights: see
     * {@link StreamGroup}. For threads that each step their own stream, {@link StepCoalescer} forms the groups.
     */
    public StreamGroup newGroup(int capacity) {
        return new StreamGroup(step, act, capacity);
    }

    /** h [B,T,d] and o [B,T,k] of a forward pass. */
    public record Sequences(int B, int T, float[] h, float[] o) {}

    /** Forward over B sequences of T steps on the calling thread: x [B,T,n], h0 [B,d] or null for zeros. */
    public Sequences forward(float[] x, int B, int T, float[] h0) {
        return forward(x, B, T, h0, Runnable::run, 1);
    }

    /**
     * The same, with the B sequences split into {@code parts} contiguous groups run as tasks on the
     * caller's executor (a small pool the caller owns; a library must not fill the common ForkJoin pool).
     * Each group is independent, so threads share nothing but the read-only weights and disjoint slices
     * of the output arrays. Parts are whole groups of {@value BatchRunner#GROUP} sequences (see
     * {@link BatchRunner}), so a batch of fewer sequences runs on one thread, and the result is the same
     * bit for bit for any number of parts. The model keeps the scratch of each part that ran at the same
     * time for the next call, as large as the largest call needed: at most about 4 KiB × (n + 2d + k)
     * (32 sequences × 32 steps of x, p, h and z; 2.6 MiB at n=128, d=256, k=16), until it is closed.
     */
    public Sequences forward(float[] x, int B, int T, float[] h0, Executor executor, int parts) {
        if (B < 1 || T < 1) throw new IllegalArgumentException("B and T must be at least 1: B=" + B + " T=" + T);
        if ((long) B * T * Math.max(d(), k()) > Integer.MAX_VALUE - 16) throw new IllegalArgumentException("B*T*d is too large for one array");
        float[] h = new float[B * T * d()], o = new float[B * T * k()];
        forward(x, B, T, h0, h, o, executor, parts);
        return new Sequences(B, T, h, o);
    }

    /**
     * The same into the caller's arrays, h [B,T,d] and o [B,T,k], every value overwritten: a service that
     * runs batch after batch allocates nothing for the outputs (7 MB a call at B=64, T=100, d=256, whose
     * zeroing and first touch cost about a tenth of the call here).
     */
    public void forward(float[] x, int B, int T, float[] h0, float[] h, float[] o, Executor executor, int parts) {
        int n = n(), d = d(), k = k();
        if (B < 1 || T < 1) throw new IllegalArgumentException("B and T must be at least 1: B=" + B + " T=" + T);
        if (x.length != (long) B * T * n) throw new IllegalArgumentException("x has " + x.length + " values, expected B*T*n=" + (long) B * T * n);
        if (h0 != null && h0.length != (long) B * d) throw new IllegalArgumentException("h0 has " + h0.length + " values, expected B*d=" + (long) B * d);
        if (h.length != (long) B * T * d) throw new IllegalArgumentException("h has " + h.length + " values, expected B*T*d=" + (long) B * T * d);
        if (o.length != (long) B * T * k) throw new IllegalArgumentException("o has " + o.length + " values, expected B*T*k=" + (long) B * T * k);
        // x and h0 are read while h and o are written
        if (h == x || h == h0 || h == o || o == x || o == h0) throw new IllegalArgumentException("h and o must be arrays of their own, not x, h0 or each other");
        if (parts < 1) throw new IllegalArgumentException("parts must be at least 1");
        // the non-finite rule of StreamState: non-finite inputs are refused before any work ...
        requireFinite("x", x, n, T);
        if (h0 != null) requireFinite("h0", h0, d, 1);
        if (!pre.isNone()) {
            float[] xn = pre.inputs(x, B, T, n);
            run(xn, B, T, h0, h, o, executor, parts);
            pre.outputs(x, o, B, T, k);
        } else {
            run(x, B, T, h0, h, o, executor, parts);
        }
        // ... and a non-finite result from finite inputs is reported, never returned as if it were an answer
        nonFiniteResult("hidden value", h, d, T);
        nonFiniteResult("output", o, k, T);
    }

    private void run(float[] x, int B, int T, float[] h0, float[] h, float[] o, Executor executor, int parts) {
        // split where BatchRunner's groups start, so that any number of parts gives the same bits
        int unit = batch == null ? 1 : BatchRunner.GROUP, units = (B + unit - 1) / unit;
        int p = Math.min(parts, units);
        if (p == 1) {
            run(x, T, h0, h, o, 0, B);
        } else {
            List<CompletableFuture<Void>> tasks = new ArrayList<>();
            for (int i = 0; i < p; i++) {
                int from = (int) Math.min(B, (long) units * i / p * unit), to = (int) Math.min(B, (long) units * (i + 1) / p * unit);
                tasks.add(CompletableFuture.runAsync(() -> run(x, T, h0, h, o, from, to), executor));
            }
            try {
                CompletableFuture.allOf(tasks.toArray(CompletableFuture[]::new)).join();
            } catch (CompletionException e) {
                if (e.getCause() instanceof RuntimeException r) throw r;
                throw e;
            }
        }
    }

    /** The first non-finite value of v [B,T,width] (T = 1 for h0) as an IllegalArgumentException naming its place. */
    private static void requireFinite(String name, float[] v, int width, int T) {
        for (int i = 0; i < v.length; i++)
            if (!Float.isFinite(v[i])) throw new IllegalArgumentException(name + " holds a non-finite value (" + v[i] + ") at " + place(i, width, T));
    }

    private static void nonFiniteResult(String what, float[] v, int width, int T) {
        for (int i = 0; i < v.length; i++)
            if (!Float.isFinite(v[i]))
                throw new NonFiniteStateException("the forward pass made " + what + " " + v[i] + " at " + place(i, width, T)
                        + " from finite inputs (the model's weights are too large)");
    }

    private static String place(int i, int width, int T) {
        int row = i / width;
        return "sequence " + row / T + ", step " + row % T + ", index " + i % width;
    }

    private void run(float[] x, int T, float[] h0, float[] h, float[] o, int from, int to) {
        if (batch == null) {
            stepwise(x, T, h0, h, o, from, to);
            return;
        }
        BatchRunner r = idle.poll();
        if (r == null) r = new BatchRunner(batch, blas, act);
        try {
            r.run(x, T, h0, h, o, from, to);
        } finally {
            idle.offer(r);
        }
    }

    /** Sequences one step at a time through the step kernel (kernels without a batch form, e.g. int8). */
    private void stepwise(float[] x, int T, float[] h0, float[] h, float[] o, int from, int to) {
        int n = n(), d = d(), k = k();
        float[] xt = new float[n], ot = new float[k], ht = new float[d];
        StreamState s = new StreamState(step, act); // x is already as the network sees it
        for (int b = from; b < to; b++) {
            if (h0 != null) {
                System.arraycopy(h0, b * d, ht, 0, d);
                s.restoreState(ht);
            } else {
                s.reset();
            }
            for (int t = 0; t < T; t++) {
                int r = b * T + t;
                System.arraycopy(x, r * n, xt, 0, n);
                try {
                    s.step(xt, ot);
                } catch (NonFiniteStateException e) {
                    throw new NonFiniteStateException("sequence " + b + ", step " + t + ": " + e.getMessage());
                }
                System.arraycopy(ot, 0, o, r * k, k);
                s.saveState(ht);
                System.arraycopy(ht, 0, h, r * d, d);
            }
        }
    }

    @Override
    public void close() {
        idle.clear();
        step.close();
        if (batch != null) batch.close();
        if (blas != null) blas.close();
    }
}
