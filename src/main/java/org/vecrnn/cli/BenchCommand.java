package org.vecrnn.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.SplittableRandom;
import org.vecrnn.JitActivity;
import org.vecrnn.blas.Blas;
import org.vecrnn.infer.InferenceModel;
import org.vecrnn.infer.StreamState;
import org.vecrnn.io.ModelFile;
import org.vecrnn.io.QuantizedModelFile;
import org.vecrnn.kernel.SegmentOps;
import org.vecrnn.model.ElmanRnn;
import org.vecrnn.model.Nonlinearity;
import org.vecrnn.model.Output;
import org.vecrnn.model.Parameters;
import org.vecrnn.quant.QuantizedRnn;
import org.vecrnn.quant.Int8Scheme;
import org.vecrnn.quant.Quantizer;
import org.vecrnn.train.TrainBench;
import org.vecrnn.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * A quick figure without JMH: a random model of the given sizes, warm-up, then the median of
 * {@value #ROUNDS} timed rounds, printed as one line. The side-by-side comparisons live in bench/ (JMH).
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Time a workload on a random model or your own; print one line.",
                "The line: workload=W n=.. d=.. k=.. weights=fp32|int8 and ns_per_step=.. (stream), "
                        + "seq_per_s=.. (batch) or steps_per_s=.. (train: forward, backward and an SGD step on B "
                        + "sequences of T steps): the median of " + BenchCommand.ROUNDS + " rounds after a warm-up.",
                "streams: one stream's ns_per_step, then --streams M streams stepped as groups (one pass over the weights "
                        + "for all M): stream_steps_per_s=.. and speedup=.. over the single stream, in the same run.",
                "concurrent: --threads T threads each step a stream of their own through a StepCoalescer (--window-us), "
                        + "against the same threads stepping alone: stream_steps_per_s=.., alone_steps_per_s=.., mean_group=.., "
                        + "p50_us=.. and p99_us=.. of one call.",
                "coldstart: the model saved and loaded with InferenceModel.load in this fresh JVM: load_ms=.., warm_ms=.. (from "
                        + "the load until the model steps on its Vector API kernels, not its plain Java twins; none: not "
                        + "within 60 s), first_step_us=.., the p50 and p99 of the first 1,000 steps and of 100,000 steady "
                        + "steps 3 s after warm_ms (-Dvecrnn.warmup=false in VECRNN_JAVA_OPTS loads without the warm-up).",
                "stream, streams and batch warm up until the kernels ran 10,000 times, and until two successive blocks "
                        + "agree within 3%% while the JIT's compiler threads are idle; concurrent runs its threads for 2 s "
                        + "and on until each made 10,000 steps and the JIT is idle.",
                "The kernels are the ones chosen at start-up (-Dvecrnn.kernel=scalar|vector and "
                        + "-Dvecrnn.vectorBits=256|512 in VECRNN_JAVA_OPTS force them)."})
final class BenchCommand implements Callable<Integer> {
    static final int ROUNDS = 7;

    @Option(names = "--workload", required = true, paramLabel = "W", description = "stream, streams, concurrent, coldstart, batch or train")
    String workload;

    @Option(names = "--n", defaultValue = "128", description = "input size (default ${DEFAULT-VALUE})")
    int n;

    @Option(names = "--d", defaultValue = "256", description = "hidden size (default ${DEFAULT-VALUE})")
    int d;

    @Option(names = "--k", defaultValue = "16", description = "output size (default ${DEFAULT-VALUE})")
    int k;

    @Option(names = "--batch", defaultValue = "64", paramLabel = "B", description = "sequences per batch (batch workload, default ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--steps", paramLabel = "T", description = "steps per sequence (batch 100, train 50)")
    Integer stepsOption;
    int steps;

    @Option(names = "--threads", defaultValue = "1", paramLabel = "N",
            description = "threads: batch splits the sequences over N threads; stream runs N independent streams, one per thread;"
                    + " train gives OpenBLAS N threads (default 1)")
    int threads;

    @Option(names = "--streams", defaultValue = "32", paramLabel = "M",
            description = "streams workload: how many streams each group call steps (default ${DEFAULT-VALUE})")
    int streams;

    @Option(names = "--window-us", defaultValue = "50", paramLabel = "US",
            description = "concurrent workload: the coalescer's window in microseconds (default ${DEFAULT-VALUE})")
    int windowUs;

    @Option(names = "--int8", description = "stream and batch: run the model quantized to int8 (per-row scales)")
    boolean int8;

    @Option(names = "--model", paramLabel = "M",
            description = "Time this model file (.safetensors, fp32 or int8, or .onnx) at its own sizes, layers and nonlinearity instead of "
                    + "a random model (--int8 quantizes an fp32 one in memory). The network runs as the file holds it, on random inputs, "
                    + "without the input preprocessing its metadata may record; coldstart loads the file itself.")
    Path model;

    @Option(names = "--layers", defaultValue = "1", paramLabel = "L",
            description = "recurrent layers of the model, 1 to 8, each of d units (default ${DEFAULT-VALUE})")
    int layers;

    @Option(names = "--nonlinearity", defaultValue = "tanh", paramLabel = "F",
            description = "the hidden nonlinearity, tanh or relu (default ${DEFAULT-VALUE})")
    String nonlinearity;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        String w = workload.toLowerCase(Locale.ROOT);
        if (!w.equals("stream") && !w.equals("batch") && !w.equals("train") && !w.equals("streams") && !w.equals("concurrent") && !w.equals("coldstart"))
            throw new ParameterException(spec.commandLine(), "--workload must be stream, streams, concurrent, coldstart, batch or train, not '" + workload + "'");
        check(streams >= 1 && streams <= 4096, "--streams");
        check(windowUs >= 0 && windowUs <= 10_000, "--window-us");
        steps = stepsOption != null ? stepsOption : w.equals("train") ? 50 : 100;
        check(n >= 1 && n <= 1 << 14, "--n"); check(d >= 1 && d <= 1 << 14, "--d"); check(k >= 1 && k <= 1 << 14, "--k");
        check(batch >= 1 && batch <= 1 << 16, "--batch"); check(steps >= 1 && steps <= 1 << 16, "--steps");
        check(threads >= 1 && threads <= 256, "--threads");
        check(layers >= 1 && layers <= Parameters.MAX_LAYERS, "--layers (1 to " + Parameters.MAX_LAYERS + ")");
        Nonlinearity f;
        try {
            f = Nonlinearity.parse(nonlinearity);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--nonlinearity must be tanh or relu, not '" + nonlinearity + "'");
        }
        if ((long) batch * steps * Math.max(Math.max(n, d), k) > 1L << 28) tooLarge();
        if (w.equals("train") && int8) throw new ParameterException(spec.commandLine(), "--int8 is for the stream and batch workloads; training runs in fp32");
        if (model != null) {
            for (String sized : List.of("--n", "--d", "--k", "--layers", "--nonlinearity"))
                if (spec.commandLine().getParseResult().hasMatchedOption(sized))
                    throw new ParameterException(spec.commandLine(), sized + " sizes a random model; with --model the file's own sizes are used");
            boolean int8File = QuantizedModelFile.isQuantized(model);
            if (int8File && w.equals("train"))
                throw new ParameterException(spec.commandLine(), "--model " + model + " holds int8 weights, and training runs in fp32: "
                        + "give the fp32 model the int8 file was quantized from");
            if (w.equals("coldstart") && (int8File || !int8)) {
                double[] r = ServeBench.coldstart(model); // first: reading the sizes before would load its classes
                if (int8File) {
                    try (QuantizedRnn q = QuantizedModelFile.load(model)) {
                        return coldstart(r, true, q.n(), q.d(), q.k(), q.layers(), q.nonlinearity());
                    }
                }
                try (ElmanRnn m = ModelFile.load(model)) {
                    return coldstart(r, false, m.n(), m.d(), m.k(), m.layers(), m.nonlinearity());
                }
            }
            if (int8File) {
                QuantizedRnn q = QuantizedModelFile.load(model);
                int qLayers = q.layers();
                Nonlinearity qf = q.nonlinearity();
                try (InferenceModel im = int8Model(q)) {
                    return run(w, im, true, qLayers, qf);
                }
            }
        }
        try (ElmanRnn m = model != null ? ModelFile.load(model) : randomModel(n, d, k, layers, f)) {
            if (w.equals("train")) return train(m);
            if (w.equals("coldstart")) return coldstart(ServeBench.coldstart(m, int8), int8, m.n(), m.d(), m.k(), m.layers(), m.nonlinearity());
            try (InferenceModel im = int8 ? int8Model(m) : InferenceModel.of(m)) {
                return run(w, im, int8, m.layers(), m.nonlinearity());
            }
        }
    }

    /** Sizes from the model, checked as the options are: a file can be larger than a benchmark should allocate. */
    private void sizes(int n, int d, int k) {
        this.n = n;
        this.d = d;
        this.k = k;
        if ((long) batch * steps * Math.max(Math.max(n, d), k) > 1L << 28) tooLarge();
    }

    private void tooLarge() {
        throw new ParameterException(spec.commandLine(), "--batch * --steps * max(n, d, k) is too large for a benchmark (over 2^28 floats)"
                + (model != null ? "; the model has n=" + n + " d=" + d + " k=" + k : ""));
    }

    /** The stream, streams, concurrent and batch workloads on {@code im}; prints the line. */
    private int run(String w, InferenceModel im, boolean int8Weights, int layers, Nonlinearity f) throws Exception {
        sizes(im.n(), im.d(), im.k());
        String figure = switch (w) {
            case "stream" -> "ns_per_step=" + fmt(streamNs(im));
            case "streams" -> {
                double[] r = ServeBench.streams(im, streams, ROUNDS);
                yield "streams=" + streams + " ns_per_step=" + fmt(r[0]) + " stream_steps_per_s=" + fmt(r[1])
                        + " speedup=" + String.format(Locale.ROOT, "%.2f", r[1] * r[0] * 1e-9);
            }
            case "concurrent" -> {
                double[] r = ServeBench.concurrent(im, threads, Duration.ofNanos(windowUs * 1000L), ROUNDS);
                yield "window_us=" + windowUs + " stream_steps_per_s=" + fmt(r[0]) + " alone_steps_per_s=" + fmt(r[1])
                        + " mean_group=" + ServeBench.fmt(r[2]) + " p50_us=" + ServeBench.fmt(r[3]) + " p99_us=" + ServeBench.fmt(r[4]);
            }
            default -> "seq_per_s=" + fmt(batchSeqPerS(im));
        };
        PrintWriter out = spec.commandLine().getOut();
        out.println("workload=" + w + " n=" + n + " d=" + d + " k=" + k + " weights=" + (int8Weights ? "int8" : "fp32") + " " + figure
                + suffix(layers, f));
        out.flush();
        return 0;
    }

    private String suffix(int layers, Nonlinearity f) {
        return (layers > 1 ? " layers=" + layers : "") + (f != Nonlinearity.TANH ? " nonlinearity=" + f.id() : "") + (threads > 1 ? " threads=" + threads : "");
    }

    /** The model's first steps after InferenceModel.load in this JVM, which has run no kernel before: {@code r} from {@link ServeBench#coldstart}. */
    private int coldstart(double[] r, boolean int8Weights, int n, int d, int k, int layers, Nonlinearity f) {
        PrintWriter out = spec.commandLine().getOut();
        out.println("workload=coldstart n=" + n + " d=" + d + " k=" + k + " weights=" + (int8Weights ? "int8" : "fp32")
                + " load_ms=" + ServeBench.fmt(r[0]) + " warm_ms=" + (Double.isNaN(r[6]) ? "none" : ServeBench.fmt(r[6])) + " first_step_us=" + ServeBench.fmt(r[1])
                + " first1000_p50_us=" + ServeBench.fmt(r[2]) + " first1000_p99_us=" + ServeBench.fmt(r[3])
                + " steady_p50_us=" + ServeBench.fmt(r[4]) + " steady_p99_us=" + ServeBench.fmt(r[5])
                + " warmup=" + (Boolean.parseBoolean(System.getProperty("vecrnn.warmup", "true")) ? "on" : "off") + suffix(layers, f));
        out.flush();
        return 0;
    }

    /** Training steps on a model of m's shape, from m's weights. */
    private int train(ElmanRnn m) {
        sizes(m.n(), m.d(), m.k());
        Blas.setThreads(threads);
        try (TrainBench b = new TrainBench(Blas.get(), SegmentOps.get(), batch, steps, m.n(), m.k(), m.parameters(), m.nonlinearity())) {
            double sps = b.stepsPerSecond(ROUNDS, 0.5);
            PrintWriter out = spec.commandLine().getOut();
            out.println("workload=train n=" + n + " d=" + d + " k=" + k + " weights=fp32 steps_per_s=" + String.format(Locale.ROOT, "%.2f", sps)
                    + suffix(m.layers(), m.nonlinearity()));
            out.flush();
        }
        return 0;
    }

    private void check(boolean ok, String name) {
        if (!ok) throw new ParameterException(spec.commandLine(), name + " is out of range");
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, v >= 100 ? "%.0f" : "%.1f", v);
    }

    /** Median ns per step of one stream (with threads > 1: per step of each of the concurrent streams). */
    private double streamNs(InferenceModel im) throws Exception {
        float[][] xs = new float[64][];
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < xs.length; i++) {
            xs[i] = new float[n];
            for (int j = 0; j < n; j++) xs[i][j] = (float) r.nextDouble(-1, 1);
        }
        if (threads == 1) return streamRounds(im, xs);
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            CyclicBarrier start = new CyclicBarrier(threads);
            Future<?>[] fs = new Future<?>[threads];
            double[] each = new double[threads];
            for (int t = 0; t < threads; t++) {
                int id = t;
                fs[t] = pool.submit(() -> {
                    start.await();
                    each[id] = streamRounds(im, xs);
                    return null;
                });
            }
            for (Future<?> f : fs) f.get();
            return median(each);
        }
    }

    private static double streamRounds(InferenceModel im, float[][] xs) {
        StreamState s = im.newStream();
        float[] o = new float[im.k()];
        double[] ns = new double[ROUNDS];
        // warm-up until steady (the JIT's C2 code, not the interpreter's or C1's, is what gets timed): blocks of
        // about 100 ms until 10,000 steps ran and two blocks agree within 3% with the JIT idle, then rounds of that size
        int perRound = Math.max(1000, ServeBench.warm(steps -> {
            long a = System.nanoTime();
            run(s, xs, o, steps);
            return System.nanoTime() - a;
        }, JitActivity.C2_CALLS));
        for (int i = 0; i < ROUNDS; i++) {
            long t0 = System.nanoTime();
            run(s, xs, o, perRound);
            ns[i] = (System.nanoTime() - t0) / (double) perRound;
        }
        return median(ns);
    }

    private static void run(StreamState s, float[][] xs, float[] o, int steps) {
        for (int t = 0; t < steps; t++) {
            if ((t & 1023) == 0) s.reset(); // keep h away from any fixed point
            s.step(xs[t & (xs.length - 1)], o);
        }
    }

    private double batchSeqPerS(InferenceModel im) throws Exception {
        SplittableRandom r = new SplittableRandom(11);
        float[] x = new float[batch * steps * n];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextDouble(-1, 1);
        double[] s = new double[ROUNDS];
        // outputs made once, as a service running batch after batch would
        float[] h = new float[batch * steps * im.d()], o = new float[batch * steps * im.k()];
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            // warm-up until C2 has compiled the path: the first batch runs interpreted code (0.2-0.6 s at the
            // default sizes) and the next ones C1 code; 3 s is past both here, and then until two blocks agree
            long warm = System.nanoTime();
            for (int i = 0; i < 3 || System.nanoTime() - warm < 3_000_000_000L; i++) im.forward(x, batch, steps, null, h, o, pool, threads);
            ServeBench.warm(calls -> {
                long a = System.nanoTime();
                for (int i = 0; i < calls; i++) im.forward(x, batch, steps, null, h, o, pool, threads);
                return System.nanoTime() - a;
            }, Math.max(1, JitActivity.C2_CALLS / ((long) batch * steps)));
            for (int i = 0; i < ROUNDS; i++) {
                long t0 = System.nanoTime();
                im.forward(x, batch, steps, null, h, o, pool, threads);
                s[i] = batch / ((System.nanoTime() - t0) * 1e-9);
            }
        }
        return median(s);
    }

    static double median(double[] v) {
        double[] c = v.clone();
        Arrays.sort(c);
        return c.length % 2 == 1 ? c[c.length / 2] : (c[c.length / 2 - 1] + c[c.length / 2]) / 2;
    }

    /**
     * PyTorch's default init (the trainer's) from a fixed seed, sigmoid head: L layers (each upper layer from
     * its own seed) with nonlinearity f.
     */
    static ElmanRnn randomModel(int n, int d, int k, int L, Nonlinearity f) {
        Parameters p = Trainer.init(n, d, k, 42);
        Parameters.Layer[] upper = new Parameters.Layer[L - 1];
        for (int l = 1; l < L; l++) {
            Parameters q = Trainer.init(d, d, k, 42 + l);
            upper[l - 1] = new Parameters.Layer(q.U(), q.W(), q.a());
        }
        return ElmanRnn.of(n, d, k, Output.SIGMOID, f, new Parameters(p.U(), p.W(), p.a(), p.V(), p.b(), upper));
    }

    /** The model quantized to int8 (per-row scales), every layer. */
    private static InferenceModel int8Model(ElmanRnn m) {
        return int8Model(Quantizer.quantize(m, Int8Scheme.DEFAULT));
    }

    /** An int8 model's kernels, which copy {@code q}; q is closed. */
    private static InferenceModel int8Model(QuantizedRnn q) {
        try (q) {
            return InferenceModel.of(q);
        }
    }
}
