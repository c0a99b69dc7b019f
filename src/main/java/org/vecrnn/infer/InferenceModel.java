package org.vecrnn.infer;

import java.nio.file.Path;
import java.util.Map;
import org.vecrnn.io.SafeTensors;
import org.vecrnn.model.Preprocessing;
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
import java.util.function.Function;
import org.vecrnn.kernel.Activation;
import org.vecrnn.kernel.BatchKernel;
import org.vecrnn.kernel.Kernels;
import org.vecrnn.kernel.StepKernel;
import org.vecrnn.model.ElmanRnn;
import org.vecrnn.model.Output;
import org.vecrnn.model.Parameters;

/**
 * A model ready for inference: a step kernel per layer (fp32 or int8, scalar or Vector API; the last one also
 * computes the head) and the output activation g, plus, for fp32, a batch kernel that runs known sequences as
 * matrix products, with their input projection and head on OpenBLAS when vecrnn found it.
 * A stacked model (more than one layer) runs known sequences step by step through its layers' kernels.
 * Immutable and shared by any number of threads; each stream keeps its own {@link StreamState}.
 * Closing frees the kernels' weight memory and must not race with their use.
 */
public final class InferenceModel implements AutoCloseable {
    /** One per layer, from the first; {@link #step} is the first. */
    private final StepKernel[] layers;
    private final StepKernel step;
    private final BatchKernel batch;
    private final BlasProducts blas;
    private final Output g;
    private final Activation act;
    /** What training did to the inputs (from the model file's metadata), applied on the way in and out. */
    private final Preprocessing pre;
    /** For a model loaded with warm-up: the switch from the plain Java twins to the Vector API kernels; else null. */
    private final HandOff handOff;
    /** Batch runners not in use, with their scratch: at most one per caller that ran at the same time. */
    private final ConcurrentLinkedQueue<BatchRunner> idle = new ConcurrentLinkedQueue<>();

    /**
     * Any step kernel (an int8 one too); known sequences then run step by step through it. Package-private:
     * kernels are internal; tests reach it through their own helper in this package.
     */
    InferenceModel(StepKernel step, Output g) {
        this(new StepKernel[] {step}, null, null, requireOutput(g), Kernels.activation(g));
    }

    /**
     * A stack of step kernels, one per layer from the first (fp32 or int8): layer 0 takes n inputs, every
     * layer has the same d, and the last one's head gives the outputs. Known sequences run step by step.
     */
    InferenceModel(List<? extends StepKernel> layers, Output g) {
        this(checkStack(layers), null, null, requireOutput(g), Kernels.activation(g));
    }

    private static StepKernel[] checkStack(List<? extends StepKernel> layers) {
        if (layers == null || layers.isEmpty() || layers.size() > Parameters.MAX_LAYERS)
            throw new IllegalArgumentException("a model has 1 to " + Parameters.MAX_LAYERS + " layers, not " + (layers == null ? 0 : layers.size()));
        StepKernel[] s = layers.toArray(StepKernel[]::new);
        int d = s[0].d();
        for (int l = 1; l < s.length; l++)
            if (s[l].d() != d || s[l].n() != d)
                throw new IllegalArgumentException("layer " + l + " has n=" + s[l].n() + " d=" + s[l].d() + ", expected n=d=" + d + " (the layer below has d=" + d + ")");
        return s;
    }

    private static Output requireOutput(Output g) {
        if (g == null) throw new IllegalArgumentException("output activation is null");
        return g;
    }

    /** The factories below build every kernel from one model, so their sizes agree. */
    private InferenceModel(StepKernel[] layers, BatchKernel batch, BlasProducts blas, Output g, Activation act) {
        this(layers, batch, blas, g, act, Preprocessing.NONE, null);
    }

    private InferenceModel(StepKernel[] layers, BatchKernel batch, BlasProducts blas, Output g, Activation act, Preprocessing pre, HandOff handOff) {
        this.pre = pre;
        this.handOff = handOff;
        this.layers = layers;
        this.step = layers[0];
        this.batch = batch;
        this.blas = blas;
        this.g = g;
        this.act = act;
    }

    /**
     * The fp32 kernels chosen at start-up (Vector API when available, else the scalar reference); known
     * sequences run their input projection and head through OpenBLAS when vecrnn found it. The kernels copy
     * the weights: {@code model} may be closed at once.
     *
     * @param model an fp32 model of 1 to 8 layers
     * @return a model ready to run, to be closed by the caller
     */
    public static InferenceModel of(ElmanRnn model) {
        if (model.layers() > 1) return stacked(model, Kernels::stepKernel, Kernels.activation(model.output()));
        return new InferenceModel(new StepKernel[] {Kernels.stepKernel(model)}, Kernels.batchKernel(model), new BlasProducts(model), model.output(), Kernels.activation(model.output()));
    }

    /**
     * The Java kernels alone, for known sequences too, even when OpenBLAS is present (tests, benchmarks).
     *
     * @param model an fp32 model, which may be closed at once
     * @return a model whose every product runs in Java, to be closed by the caller
     */
    public static InferenceModel javaKernels(ElmanRnn model) {
        if (model.layers() > 1) return stacked(model, Kernels::stepKernel, Kernels.activation(model.output()));
        return new InferenceModel(new StepKernel[] {Kernels.stepKernel(model)}, Kernels.batchKernel(model), null, model.output(), Kernels.activation(model.output()));
    }

    /** One step kernel per layer, each built from the layer as a one-layer model. */
    private static InferenceModel stacked(ElmanRnn model, Function<ElmanRnn, StepKernel> kernel, Activation act) {
        List<StepKernel> ks = new ArrayList<>();
        try {
            for (int l = 0; l < model.layers(); l++)
                try (ElmanRnn layer = model.layer(l)) {
                    ks.add(kernel.apply(layer));
                }
        } catch (RuntimeException e) {
            ks.forEach(StepKernel::close);
            throw e;
        }
        return new InferenceModel(checkStack(ks), null, null, model.output(), act);
    }

    /**
     * Any model file, fp32 or int8, ready to run with the kernels chosen at start-up, applying the input
     * preprocessing its metadata records ({@link Preprocessing}: what {@code vecrnn train} did to the inputs,
     * e.g. standardised differences), so inputs and outputs are in the user's units. The fp32 kernels copy
     * the weights and the int8 kernel owns its model, so nothing else needs to stay open.
     *
     * @param path a model file: vecrnn's own (fp32 or int8), a PyTorch state dict as safetensors, or {@code .onnx}
     * @return the model, warmed up, to be closed by the caller
     * @throws org.vecrnn.VecrnnException naming the file and the problem when it is malformed or its metadata
     *     asks for something vecrnn cannot honour
     */
    public static InferenceModel load(Path path) {
        return load(path, true);
    }

    /**
     * The same; with {@code applyPreprocessing} false, inputs and outputs are exactly what the network
     * sees and gives (the metadata is still checked).
     *
     * @param path a model file, as for {@link #load(Path)}
     * @param applyPreprocessing whether the preprocessing the metadata records is applied
     * @return the model, warmed up, to be closed by the caller
     * @throws org.vecrnn.VecrnnException naming the file and the problem
     */
    public static InferenceModel load(Path path, boolean applyPreprocessing) {
        return load(path, applyPreprocessing, WarmUp.enabled());
    }

    /**
     * The same; with {@code warmUp} (the default of the other forms unless {@code -Dvecrnn.warmup=false}) the
     * model's step is run on a scratch stream until its steps are steady or 0.9 s after this call began (at
     * least 0.2 s of warm-up), its cost logged at DEBUG. A model with Vector API kernels steps on their plain
     * Java twins first (the same results, bit for bit), which the JIT compiles within about 0.2 s, while a
     * daemon thread warms the Vector API kernels and hands the model over to them once they are steady (about
     * two seconds after load in a fresh JVM on 2 cores; README, Warm-up). Closing the model stops that thread.
     *
     * @param path a model file, as for {@link #load(Path)}
     * @param applyPreprocessing whether the preprocessing the metadata records is applied
     * @param warmUp whether to warm the step up before returning
     * @return the model, to be closed by the caller
     * @throws org.vecrnn.VecrnnException naming the file and the problem
     */
    public static InferenceModel load(Path path, boolean applyPreprocessing, boolean warmUp) {
        long start = System.nanoTime();
        InferenceModel m = read(path, applyPreprocessing, warmUp);
        if (warmUp) {
            WarmUp.load(m.layers, m.act, m.handOff, start);
            m.groupsCold = true;
        }
        return m;
    }

    /**
     * Runs this model's step, then its grouped step, on scratch streams until the JIT has compiled them (about
     * a second each at most); no stream's state is touched. A model that {@link #load} warmed up, still on the
     * plain Java twins of its kernels, steps on its Vector API kernels from then on if they got steady.
     * {@link #load} warms the step itself, and the grouped step at the first {@link #newGroup}.
     */
    public void warmUp() {
        if (handOff == null) WarmUp.step(layers, act, WarmUp.deadline(System.nanoTime()));
        else if (!handOff.done()) WarmUp.handOff(handOff, WarmUp.deadline(System.nanoTime()));
        WarmUp.group(hot(), hotActivation(), WarmUp.deadline(System.nanoTime()));
        groupsCold = false;
    }

    /**
     * Whether this model's streams step on its final kernels. False only after a warmed {@link #load} of a model
     * with Vector API kernels, for the first seconds, while its streams step on the kernels' plain Java twins
     * (the same results, bit for bit, at about a third of the speed) and a daemon thread warms the Vector API
     * kernels (README, Warm-up). A service that wants its first requests at full speed can wait for this.
     *
     * @return whether the model's streams step on its final kernels (true for a model without twins)
     */
    public boolean warm() {
        return handOff == null || handOff.done();
    }

    /** The thread warming the Vector API kernels behind the hand-off, or null. */
    Thread warmUpThread() {
        return handOff == null ? null : handOff.warmer();
    }

    /** The kernels this model runs once warm: the Vector API ones behind a hand-off, else its own. */
    private StepKernel[] hot() {
        return handOff == null ? layers : handOff.vector();
    }

    private Activation hotActivation() {
        return handOff == null ? act : handOff.vectorActivation();
    }

    /** Set by a warmed load: the first newGroup warms the grouped step. */
    private volatile boolean groupsCold;

    /** The model in {@code path}; with {@code twins}, behind a hand-off from plain Java twins of its kernels (if it has Vector API ones). */
    private static InferenceModel read(Path path, boolean applyPreprocessing, boolean twins) {
        InferenceModel m;
        Map<String, String> metadata;
        if (QuantizedModelFile.isQuantized(path)) {
            QuantizedRnn q = QuantizedModelFile.load(path);
            if (q.layers() == 1) {
                m = new InferenceModel(Int8Kernels.owning(q), q.output());
                if (twins) m = m.withTwins(twins(q));
            } else {
                try (q) {
                    m = of(q);
                    if (twins) m = m.withTwins(twins(q));
                }
            }
            try (SafeTensors st = SafeTensors.openConfined(path)) {
                metadata = st.metadata();
            }
        } else {
            ModelFile.Loaded loaded = ModelFile.read(path);
            try (ElmanRnn r = loaded.model()) {
                m = of(r);
                if (twins) m = m.withTwins(twins(r));
            }
            metadata = loaded.metadata();
        }
        return applyPreprocessing ? m.withPreprocessing(Preprocessing.of(metadata, m.n(), m.k())) : m;
    }

    /** This model's kernels with {@code pre} applied to inputs and outputs; the new one owns the kernels. */
    private InferenceModel withPreprocessing(Preprocessing p) {
        return p.isNone() ? this : new InferenceModel(layers, batch, blas, g, act, p, handOff);
    }

    /** This model behind a hand-off from {@code twins} (one per layer) to its kernels; itself when it has no twins (scalar kernels). */
    private InferenceModel withTwins(List<StepKernel> twins) {
        if (twins.contains(null)) return this;
        HandOff h = new HandOff(twins.toArray(StepKernel[]::new), layers, Kernels.twinActivation(g), act);
        return new InferenceModel(h.layers(), batch, blas, g, h.activation(), pre, h);
    }

    private static List<StepKernel> twins(ElmanRnn model) {
        List<StepKernel> ts = new ArrayList<>();
        if (!twinsFit(4 * weights(model.n(), model.d(), model.k(), model.layers()))) return java.util.Collections.singletonList(null);
        for (int l = 0; l < model.layers(); l++)
            try (ElmanRnn layer = model.layers() == 1 ? null : model.layer(l)) {
                ts.add(Kernels.twinStepKernel(layer == null ? model : layer));
            }
        return ts;
    }

    private static List<StepKernel> twins(QuantizedRnn model) {
        List<StepKernel> ts = new ArrayList<>();
        // a float per weight (the twins hold the bytes as floats) and at most a float scale per 32 of them
        if (!twinsFit(weights(model.n(), model.d(), model.k(), model.layers()) * 33 / 8)) return java.util.Collections.singletonList(null);
        for (int l = 0; l < model.layers(); l++)
            try (QuantizedRnn layer = model.layers() == 1 ? null : model.layer(l)) {
                ts.add(Int8Kernels.twin(layer == null ? model : layer));
            }
        return ts;
    }

    /** The weights of an L-layer model: U, W of each layer and V. */
    private static long weights(int n, int d, int k, int L) {
        return (long) d * n + (long) L * d * d + (long) (L - 1) * d * d + (long) k * d;
    }

    /**
     * Whether twins of {@code bytes} fit the heap, where they live until the hand-over: at most an eighth of the
     * largest heap. Bigger models load without twins (their warm-up runs their own kernels, as with scalar ones).
     */
    static boolean twinsFit(long bytes) {
        long budget = Runtime.getRuntime().maxMemory() / 8;
        if (bytes <= budget) return true;
        System.getLogger(InferenceModel.class.getName()).log(System.Logger.Level.DEBUG, () -> "vecrnn: no plain Java twins for this model: they would take "
                + bytes / 1_000_000 + " MB of the heap, more than an eighth of its " + budget * 8 / 1_000_000 + " MB");
        return false;
    }

    /**
     * An int8 model: one int8 step kernel of the chosen family (Vector API or scalar) per layer.
     *
     * @param q a quantized model; the kernels copy its weights, so the caller closes it when it likes
     * @return a model ready to run, to be closed by the caller
     */
    public static InferenceModel of(QuantizedRnn q) {
        return new InferenceModel(Int8Kernels.layers(q), q.output());
    }

    /**
     * The int8 scalar reference kernel, whatever the chooser picked (tests, benchmarks).
     *
     * @param q a one-layer quantized model, which stays open as long as the result is used (the caller closes both)
     * @return a model that runs every step on the scalar int8 kernel
     */
    public static InferenceModel scalar(QuantizedRnn q) {
        if (q.layers() != 1) throw new IllegalArgumentException("the int8 scalar reference runs one layer, not " + q.layers());
        return new InferenceModel(Int8Kernels.scalar(q), q.output());
    }

    /**
     * The fp32 scalar reference kernels, whatever the chooser picked (tests, benchmarks).
     *
     * @param model an fp32 model, which may be closed at once
     * @return a model whose every step and product runs the plain Java reference
     */
    public static InferenceModel scalar(ElmanRnn model) {
        if (model.layers() > 1) return stacked(model, Kernels::scalarStepKernel, Activation.scalar(model.output()));
        return new InferenceModel(new StepKernel[] {Kernels.scalarStepKernel(model)}, Kernels.scalarBatchKernel(model), null, model.output(), Activation.scalar(model.output()));
    }

    /** {@return n, the size of an input vector x_t} */
    public int n() { return step.n(); }
    /** {@return d, the size of one layer's hidden state} */
    public int d() { return step.d(); }
    /** {@return k, the size of an output vector o_t} */
    public int k() { return step.k(); }
    /** {@return g, the output function of the head} */
    public Output output() { return g; }
    /** {@return L, the number of recurrent layers} */
    public int layers() { return layers.length; }
    /**
     * The values of a stream's state ({@link StreamState#saveState}): L × d, plus the input preprocessing's own
     * state for a model whose inputs are differenced ({@link Preprocessing}).
     *
     * @return the length of the array {@link StreamState#saveState} fills
     */
    public int stateSize() { return layers.length * step.d() + pre.stateSize(n()); }
    /** The first layer's step kernel (the only one of a one-layer model). */
    StepKernel stepKernel() { return step; }
    /** Every layer's step kernel, from the first; the last one computes the head. */
    List<StepKernel> stepKernels() { return List.of(layers); }
    /** {@return what is applied to inputs and outputs (none unless loaded from a file whose metadata records some)} */
    public Preprocessing preprocessing() { return pre; }

    /**
     * What runs one step of a stream, for logs: e.g. {@code fp32 Vector API 512-bit}.
     *
     * @return the step kernel's family, precision and vector width
     */
    public String describeStep() {
        return (layers.length == 1 ? "" : layers.length + " layers of ") + step.describe();
    }

    /**
     * What runs, for logs and benchmark lines.
     *
     * @return the step kernel and, for known sequences, the batch kernel and where its products run
     */
    public String describe() {
        String stack = layers.length == 1 ? "" : layers.length + " layers of ";
        return batch == null ? stack + step.describe() : step.describe() + "; sequences: " + batch.describe()
                + (blas == null || !blas.available() ? "" : ", input projection and head on " + blas.describe());
    }

    /**
     * A new stream with h = 0.
     *
     * @return a stream of its own, for one thread at a time
     * @throws IllegalStateException when the preprocessing needs whole sequences ({@link Preprocessing#streamable})
     */
    public StreamState newStream() {
        return new StreamState(layers, act, pre.isNone() ? null : pre.newStream(n()));
    }

    /**
     * A group that steps up to {@code capacity} of this model's streams in one pass over the weights: see
     * {@link StreamGroup}. For threads that each step their own stream, {@link StepCoalescer} forms the groups.
     * The first group of a model that {@link #load} warmed up warms the grouped step first (at most about 0.9 s,
     * on scratch streams), so that its first calls run at steady speed.
     *
     * @param capacity the most streams one grouped step takes
     * @return a group with scratch for that many streams, for one thread at a time
     */
    public StreamGroup newGroup(int capacity) {
        StreamGroup g = new StreamGroup(layers, act, capacity);
        if (groupsCold) {
            groupsCold = false;
            WarmUp.group(hot(), hotActivation(), WarmUp.deadline(System.nanoTime()));
        }
        return g;
    }

    /**
     * The results of a forward pass.
     *
     * @param B the number of sequences
     * @param T the steps of each
     * @param h [B,T,d], the last layer's states
     * @param o [B,T,k], the outputs
     * @param hN [L,B,d], every layer's final state
     */
    public record Sequences(int B, int T, float[] h, float[] o, float[] hN) {}

    /**
     * Forward over B sequences of T steps on the calling thread: x [B,T,n], h0 [L,B,d] (PyTorch's order:
     * layer, sequence, unit; [B,d] for one layer) or null for zeros.
     *
     * @param x the inputs [B,T,n], all finite
     * @param B the number of sequences, at least 1
     * @param T the steps of each, at least 1
     * @param h0 the initial states [L,B,d], or null for zeros
     * @return h, o and hN in new arrays
     * @throws IllegalArgumentException when a size disagrees or an input is not finite
     * @throws NonFiniteStateException when finite inputs make a non-finite state or output
     */
    public Sequences forward(float[] x, int B, int T, float[] h0) {
        return forward(x, B, T, h0, Runnable::run, 1);
    }

    /**
     * The same, with the B sequences split into {@code parts} contiguous groups run as tasks on the
     * caller's executor (a small pool the caller owns; a library must not fill the common ForkJoin pool).
     * Each group is independent, so threads share nothing but the read-only weights and disjoint slices
     * of the output arrays. Parts are whole groups of 32 sequences (the batch kernel's unit of work), so a
     * batch of fewer sequences runs on one thread, and the result is the same
     * bit for bit for any number of parts. The model keeps the scratch of each part that ran at the same
     * time for the next call, as large as the largest call needed: at most about 4 KiB × (n + 2d + k)
     * (32 sequences × 32 steps of x, p, h and z; 2.6 MiB at n=128, d=256, k=16), until it is closed.
     *
     * @param x the inputs [B,T,n], all finite
     * @param B the number of sequences, at least 1
     * @param T the steps of each, at least 1
     * @param h0 the initial states [L,B,d], or null for zeros
     * @param executor runs the parts (the caller's pool)
     * @param parts how many tasks at most, at least 1
     * @return h, o and hN in new arrays
     * @throws IllegalArgumentException when a size disagrees or an input is not finite
     * @throws NonFiniteStateException when finite inputs make a non-finite state or output
     */
    public Sequences forward(float[] x, int B, int T, float[] h0, Executor executor, int parts) {
        if (B < 1 || T < 1) throw new IllegalArgumentException("B and T must be at least 1: B=" + B + " T=" + T);
        String tooLarge = org.vecrnn.Sizes.floatsProblem(org.vecrnn.Sizes.product(B, T, d() + k()));
        if (tooLarge != null) throw new IllegalArgumentException("the outputs h [B,T,d] and o [B,T,k] of B=" + B + ", T=" + T + " would be " + tooLarge);
        float[] h = new float[B * T * d()], o = new float[B * T * k()], hN = new float[B * layers() * d()];
        forward(x, B, T, h0, h, o, hN, executor, parts);
        return new Sequences(B, T, h, o, hN);
    }

    /**
     * The same into the caller's arrays, h [B,T,d] and o [B,T,k], every value overwritten: a service that
     * runs batch after batch allocates nothing for the outputs (7 MB a call at B=64, T=100, d=256, whose
     * zeroing and first touch cost about a tenth of the call here).
     *
     * @param x the inputs [B,T,n], all finite
     * @param B the number of sequences, at least 1
     * @param T the steps of each, at least 1
     * @param h0 the initial states [L,B,d], or null for zeros
     * @param h receives the last layer's states [B,T,d]
     * @param o receives the outputs [B,T,k]
     * @param executor runs the parts (the caller's pool)
     * @param parts how many tasks at most, at least 1
     * @throws IllegalArgumentException when a size disagrees, an input is not finite or arrays overlap
     * @throws NonFiniteStateException when finite inputs make a non-finite state or output
     */
    public void forward(float[] x, int B, int T, float[] h0, float[] h, float[] o, Executor executor, int parts) {
        forward(x, B, T, h0, h, o, null, executor, parts);
    }

    /**
     * The same, and every layer's final state into hN unless it is null.
     *
     * @param x the inputs [B,T,n], all finite
     * @param B the number of sequences, at least 1
     * @param T the steps of each, at least 1
     * @param h0 the initial states [L,B,d], or null for zeros
     * @param h receives the last layer's states [B,T,d]
     * @param o receives the outputs [B,T,k]
     * @param hN receives every layer's final state [L,B,d], or null
     * @param executor runs the parts (the caller's pool)
     * @param parts how many tasks at most, at least 1
     * @throws IllegalArgumentException when a size disagrees, an input is not finite or arrays overlap
     * @throws NonFiniteStateException when finite inputs make a non-finite state or output
     */
    public void forward(float[] x, int B, int T, float[] h0, float[] h, float[] o, float[] hN, Executor executor, int parts) {
        int n = n(), d = d(), k = k(), L = layers();
        if (B < 1 || T < 1) throw new IllegalArgumentException("B and T must be at least 1: B=" + B + " T=" + T);
        if (x.length != (long) B * T * n) throw new IllegalArgumentException("x has " + x.length + " values, expected B*T*n=" + (long) B * T * n);
        if (h0 != null && h0.length != (long) L * B * d)
            throw new IllegalArgumentException("h0 has " + h0.length + " values, expected " + (L == 1 ? "B*d=" : "L*B*d=") + (long) L * B * d);
        if (hN != null && hN.length != (long) L * B * d)
            throw new IllegalArgumentException("hN has " + hN.length + " values, expected L*B*d=" + (long) L * B * d);
        if (hN != null && (hN == x || hN == h0 || hN == h || hN == o)) throw new IllegalArgumentException("hN must be an array of its own");
        if (h.length != (long) B * T * d) throw new IllegalArgumentException("h has " + h.length + " values, expected B*T*d=" + (long) B * T * d);
        if (o.length != (long) B * T * k) throw new IllegalArgumentException("o has " + o.length + " values, expected B*T*k=" + (long) B * T * k);
        // x and h0 are read while h and o are written
        if (h == x || h == h0 || h == o || o == x || o == h0) throw new IllegalArgumentException("h and o must be arrays of their own, not x, h0 or each other");
        if (parts < 1) throw new IllegalArgumentException("parts must be at least 1");
        // the non-finite rule of StreamState: non-finite inputs are refused before any work ...
        requireFinite("x", x, n, T);
        if (h0 != null) requireFinite("h0", h0, d, 1);
        // ... and a non-finite result from finite inputs is reported, never returned as if it were an answer:
        // both paths check every step's h and head before g (BatchRunner per row, StreamState per step), and
        // the outputs once more after the preprocessing takes them back to the user's units
        if (!pre.isNone()) {
            float[] xn = pre.inputs(x, B, T, n);
            run(xn, B, T, h0, h, o, hN, executor, parts);
            pre.outputs(x, o, B, T, k);
            nonFiniteResult("output", o, k, T);
        } else {
            run(x, B, T, h0, h, o, hN, executor, parts);
        }
        // the batch path runs one layer, whose final state is the last step of h (the step path wrote hN itself)
        if (hN != null && batch != null) for (int b = 0; b < B; b++) System.arraycopy(h, (b * T + T - 1) * d, hN, b * d, d);
    }

    private void run(float[] x, int B, int T, float[] h0, float[] h, float[] o, float[] hN, Executor executor, int parts) {
        // split where BatchRunner's groups start, so that any number of parts gives the same bits
        int unit = batch == null ? 1 : BatchRunner.GROUP, units = (B + unit - 1) / unit;
        int p = Math.min(parts, units);
        if (p == 1) {
            run(x, B, T, h0, h, o, hN, 0, B);
        } else {
            List<CompletableFuture<Void>> tasks = new ArrayList<>();
            for (int i = 0; i < p; i++) {
                int from = (int) Math.min(B, (long) units * i / p * unit), to = (int) Math.min(B, (long) units * (i + 1) / p * unit);
                tasks.add(CompletableFuture.runAsync(() -> run(x, B, T, h0, h, o, hN, from, to), executor));
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
        int i = Steps.firstNonFinite(v, 0, v.length);
        if (i >= 0) throw new IllegalArgumentException(name + " holds a non-finite value (" + v[i] + ") at " + place(i, width, T));
    }

    private static void nonFiniteResult(String what, float[] v, int width, int T) {
        int i = Steps.firstNonFinite(v, 0, v.length);
        if (i >= 0)
            throw new NonFiniteStateException("the forward pass made " + what + " " + v[i] + " at " + place(i, width, T)
                    + " from finite inputs (the model's weights are too large)");
    }

    private static String place(int i, int width, int T) {
        int row = i / width;
        return "sequence " + row / T + ", step " + row % T + ", index " + i % width;
    }

    private void run(float[] x, int B, int T, float[] h0, float[] h, float[] o, float[] hN, int from, int to) {
        if (batch == null) {
            stepwise(x, B, T, h0, h, o, hN, from, to);
            return;
        }
        BatchRunner r = idle.poll();
        if (r == null) r = new BatchRunner(batch, blas != null && blas.available() ? blas : null, act);
        try {
            r.run(x, T, h0, h, o, from, to);
        } finally {
            idle.offer(r);
        }
    }

    /**
     * Sequences one step at a time through the step kernels (kernels without a batch form, e.g. int8, and
     * stacked models). h0 and hN are [L,B,d]: sequence b's state is L slices of d, B·d apart.
     */
    private void stepwise(float[] x, int B, int T, float[] h0, float[] h, float[] o, float[] hN, int from, int to) {
        int n = n(), d = d(), k = k(), L = layers();
        float[] xt = new float[n], ot = new float[k], state = new float[L * d];
        StreamState s = new StreamState(layers, act, null); // x is already as the network sees it
        for (int b = from; b < to; b++) {
            if (h0 != null) {
                for (int l = 0; l < L; l++) System.arraycopy(h0, (l * B + b) * d, state, l * d, d);
                s.restoreState(state);
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
                s.saveState(state);
                System.arraycopy(state, (L - 1) * d, h, r * d, d);
            }
            if (hN != null) for (int l = 0; l < L; l++) System.arraycopy(state, l * d, hN, (l * B + b) * d, d);
        }
    }

    @Override
    public void close() {
        if (handOff != null) handOff.close();
        idle.clear();
        for (StepKernel l : layers) l.close();
        if (batch != null) batch.close();
        if (blas != null) blas.close();
    }
}
