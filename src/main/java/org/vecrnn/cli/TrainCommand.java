package org.vecrnn.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.vecrnn.VecrnnException;
import org.vecrnn.blas.Blas;
import org.vecrnn.Sizes;
import org.vecrnn.train.data.CsvTable;
import org.vecrnn.io.ModelFile;
import org.vecrnn.io.OutputPath;
import org.vecrnn.kernel.SegmentOps;
import org.vecrnn.model.ElmanRnn;
import org.vecrnn.model.Loss;
import org.vecrnn.model.Nonlinearity;
import org.vecrnn.model.Output;
import org.vecrnn.model.Parameters;
import org.vecrnn.model.Topology;
import org.vecrnn.train.BatchedBptt;
import org.vecrnn.train.Optimizer;
import org.vecrnn.train.ParamBuffers;
import org.vecrnn.train.Progress;
import org.vecrnn.train.Schedule;
import org.vecrnn.train.SequenceSet;
import org.vecrnn.train.Trainer;
import org.vecrnn.train.data.Captions;
import org.vecrnn.train.data.Chars;
import org.vecrnn.train.data.Digits;
import org.vecrnn.train.data.Forecast;
import org.vecrnn.train.data.Task;
import org.vecrnn.train.data.Trends;
import org.vecrnn.train.data.UserSequences;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train an Elman RNN and write it as a model file.",
                "Training runs batched backpropagation through time (BPTT) over 1 to 8 stacked layers (--layers) "
                        + "with a tanh or relu nonlinearity (--nonlinearity).",
                "Bundled tasks: digits (8x8 images as 8 rows, many-to-one, 10 classes), co2 (monthly series, "
                        + "next-step forecasting), chars (character language model on The Devil's Dictionary), "
                        + "captions (one-to-many: a digit image in, a caption out); trends (3-class windows of a "
                        + "--series CSV).",
                "Own data: --train FILE [--test FILE] --topology T; CSV formats:",
                "  many-to-one:  label,x_1..x_{T*n}          (integer class; --features n, default 1)",
                "  many-to-many: one time step per line, n columns; targets are the next line (windows of --window)",
                "  one-to-many:  x_1..x_n,y_{1,1}..y_{T,k}     (--features n, --outputs k)",
                "  or a .safetensors file with x [N,T,n] and y [N,T,k] ([N,k] for many-to-one).",
                "Ends with one line: the task's figure (test_accuracy=, test_rmse=, val_bpc= or exact_captions=) and "
                        + "the training time (trends prints its confusion matrix before that line).",
                "Progress goes to stderr; a checkpoint is written atomically after every epoch (--resume continues) "
                        + "and removed when the model is written (--keep-checkpoint keeps it)."})
final class TrainCommand implements Callable<Integer> {
    static final class Source {
        @Option(names = "--task", paramLabel = "TASK", description = "digits, co2, chars or captions (bundled data); trends (with --series)")
        String task;

        @Option(names = "--train", paramLabel = "FILE", description = "own training data (.csv or .safetensors)")
        Path train;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--series", paramLabel = "FILE", description = "trends: a monthly series as date,value CSV (e.g. sunspot_month.csv)")
    Path series;

    @Option(names = "--test", paramLabel = "FILE", description = "own test data, same format as --train")
    Path test;

    @Option(names = "--topology", paramLabel = "T", converter = Converters.TopologyConverter.class, description = "with --train: many-to-one, many-to-many or one-to-many")
    Topology topology;

    @Option(names = "--features", defaultValue = "1", paramLabel = "N", description = "inputs per step in own CSV data (default ${DEFAULT-VALUE})")
    int features;

    @Option(names = "--outputs", defaultValue = "1", paramLabel = "K", description = "targets per step for one-to-many CSV (default ${DEFAULT-VALUE})")
    int outputs;

    @Option(names = "--classes", defaultValue = "0", paramLabel = "K", description = "classes for many-to-one CSV (default: largest label + 1, at least 2)")
    int classes;

    @Option(names = "--activation", paramLabel = "G", converter = Converters.OutputConverter.class, description = "output for safetensors data: sigmoid, softmax or identity")
    Output activation;

    @Option(names = "--loss", paramLabel = "L", converter = Converters.LossConverter.class, description = "loss for safetensors data: mse or ce")
    Loss loss;

    @Option(names = "--hidden", paramLabel = "D", description = "hidden size (digits 64, co2 32, chars 256, own data 64)")
    Integer hidden;

    @Option(names = "--layers", defaultValue = "1", paramLabel = "L", description = "stacked recurrent layers, 1 to 8, each of --hidden units (default ${DEFAULT-VALUE})")
    int layers;

    @Option(names = "--nonlinearity", defaultValue = "tanh", paramLabel = "F", description = "hidden nonlinearity of every layer: tanh or relu (default ${DEFAULT-VALUE})")
    String nonlinearity;

    @Option(names = "--epochs", paramLabel = "E", description = "epochs (digits 30, co2 200, chars 30, own data 30)")
    Integer epochs;

    @Option(names = "--batch", paramLabel = "B", description = "sequences per batch (chars: parallel streams; default 32)")
    Integer batch;

    @Option(names = "--lr", paramLabel = "LR", description = "learning rate (adam 0.003, sgd 0.05)")
    Float lr;

    @Option(names = "--optimizer", defaultValue = "adam", paramLabel = "O", description = "sgd or adam (default ${DEFAULT-VALUE})")
    String optimizer;

    @Option(names = "--momentum", defaultValue = "0.9", paramLabel = "M", description = "SGD momentum (default ${DEFAULT-VALUE})")
    float momentum;

    @Option(names = "--clip", paramLabel = "C", description = "clip gradients to this global norm, 0 = off (default 5)")
    Float clip;

    @Option(names = "--schedule", paramLabel = "S", description = "learning rate: constant, cosine or step (halved every third of the epochs); chars cosine, else constant")
    String schedule;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "S", description = "seed for initialisation and shuffling (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--val-fraction", paramLabel = "F", description = "part of the training data kept for early stopping (digits 0, co2 0.15, own data 0.1)")
    Double valFraction;

    @Option(names = "--patience", paramLabel = "E", description = "stop after E epochs without validation improvement, 0 = never (co2 20, else 0)")
    Integer patience;

    @Option(names = "--window", paramLabel = "T", description = "steps per window: co2 (default 48), own many-to-many (default 24), chars (default 64)")
    Integer window;

    @Option(names = "--differences", negatable = true, paramLabel = "", description = "many-to-many series: model the changes x_t - x_{t-1} and add the predicted change to the last value (co2 default on, own data off)")
    Boolean differences;

    @Option(names = "--stride", paramLabel = "S", description = "chars: steps between window starts (default: the window)")
    Integer stride;

    @Option(names = "--max-seconds", defaultValue = "0", paramLabel = "S", description = "stop training after S seconds, 0 = no limit")
    double maxSeconds;

    @Option(names = "--threads", defaultValue = "1", paramLabel = "N", description = "OpenBLAS threads (default ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--output", required = true, paramLabel = "M", description = "model file to write (.safetensors)")
    Path output;

    @Option(names = "--checkpoint", paramLabel = "FILE", description = "checkpoint file (default: OUTPUT.ckpt when OUTPUT is a file; none for -, /dev/null or a FIFO)")
    Path checkpoint;

    @Option(names = "--resume", description = "continue from the checkpoint")
    boolean resume;

    @Option(names = "--report", paramLabel = "DIR", description = "Write each epoch's loss and accuracy (training and validation) to DIR as epochs.csv, loss.png and accuracy.png (classifiers), updated after every epoch.")
    Path report;

    @Option(names = "--keep-checkpoint", description = "Keep the checkpoint after a successful run (by default it is removed once the model is written).")
    boolean keepCheckpoint;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        String name = source.task != null ? source.task : "user";
        Optimizer.Kind opt;
        Schedule.Kind sched;
        Nonlinearity f;
        try {
            opt = Optimizer.Kind.parse(optimizer);
            sched = Schedule.Kind.parse(schedule != null ? schedule : "chars".equals(source.task) ? "cosine" : "constant");
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        try {
            f = Nonlinearity.parse(nonlinearity);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--nonlinearity must be tanh or relu, not '" + nonlinearity + "'");
        }
        if (!java.util.Set.of("digits", "co2", "chars", "captions", "trends", "user").contains(name))
            throw new ParameterException(spec.commandLine(), "--task must be digits, co2, chars, captions or trends, not '" + name + "'");
        if (name.equals("trends") && series == null)
            throw new ParameterException(spec.commandLine(), "--task trends needs --series FILE (a monthly date,value CSV)");
        if (name.equals("user") && topology == null) throw new ParameterException(spec.commandLine(), "--train needs --topology");
        range("--threads", threads, 1, 256);
        int d = hidden != null ? hidden : switch (name) { case "co2" -> 32; case "chars" -> 256; default -> 64; };
        int e = epochs != null ? epochs : switch (name) { case "co2" -> 200; default -> 30; };
        int b = batch != null ? batch : 32;
        float rate = lr != null ? lr : opt == Optimizer.Kind.ADAM ? 0.003f : 0.05f;
        float c = clip != null ? clip : 5f;
        // co2 stops early on its last 15 % of training windows: trained for a fixed 200 epochs it overfits
        // (test RMSE 0.38-0.46 ppm over seeds 1-4) while the best validation epoch (45-102) gives 0.32-0.33
        double vf = valFraction != null ? valFraction : switch (name) { case "user" -> 0.1; case "co2" -> 0.15; default -> 0; };
        int pat = patience != null ? patience : name.equals("co2") ? 20 : 0;
        range("--hidden", d, 1, 1 << 14);
        range("--layers", layers, 1, Parameters.MAX_LAYERS);
        range("--epochs", e, 1, Integer.MAX_VALUE);
        range("--batch", b, 1, 1 << 16);
        range("--patience", pat, 0, Integer.MAX_VALUE);
        // the trainer checks these too, but a bad option is a usage error (exit 2) that names the option
        if (!(rate > 0) || !Float.isFinite(rate)) throw new ParameterException(spec.commandLine(), "--lr must be a positive number, not " + rate);
        if (!(c >= 0) || !Float.isFinite(c)) throw new ParameterException(spec.commandLine(), "--clip must be 0 (off) or a positive number, not " + c);
        if (!(momentum >= 0 && momentum < 1)) throw new ParameterException(spec.commandLine(), "--momentum must be at least 0 and below 1, not " + momentum);
        if (!(maxSeconds >= 0)) throw new ParameterException(spec.commandLine(), "--max-seconds must be 0 (no limit) or positive, not " + maxSeconds);
        if (!(vf >= 0 && vf < 1)) throw new ParameterException(spec.commandLine(), "--val-fraction must be at least 0 and below 1, not " + vf);
        if (window != null) range("--window", window, 1, Integer.MAX_VALUE);
        if (stride != null) range("--stride", stride, 1, Integer.MAX_VALUE);
        if (window != null && !name.equals("user")) size("--batch × --window", b, window); // own data: × --features, below
        int charsWindow = window != null ? window : 64;
        if (name.equals("chars") && stride != null && stride > charsWindow)
            throw new ParameterException(spec.commandLine(), "--stride must be at most the window (" + charsWindow + "), not " + stride
                    + ": each character is predicted once, in the last --stride steps of a window");
        Trainer.Config config = new Trainer.Config(d, e, rate, opt, momentum, c, seed, sched, pat, maxSeconds, layers, f);
        Blas.setThreads(threads);
        // OUTPUT.ckpt only beside a file: beside /dev/null, a FIFO or stdout it would land in /dev or the working folder
        boolean fileOutput = !OutputPath.isStdout(output) && (java.nio.file.Files.notExists(output) || java.nio.file.Files.isRegularFile(output));
        Path ckpt = checkpoint != null ? checkpoint : fileOutput ? output.resolveSibling(output.getFileName() + ".ckpt") : null;
        if (resume && ckpt == null)
            throw new ParameterException(spec.commandLine(), "--resume needs --checkpoint FILE when --output " + OutputPath.shown(output) + " is not a file");
        // the report's files are outputs too: none may replace an input, the model or its checkpoint
        Path[] reports = report == null ? new Path[0]
                : new Path[] {report.resolve(TrainingReport.CSV), report.resolve(TrainingReport.LOSS), report.resolve(TrainingReport.ACCURACY)};
        for (Path in : new Path[] {source.train, test, series}) {
            String inName = in == source.train ? "--train" : in == test ? "--test" : "--series";
            OutputPath.refuseSameFile("--output", output, inName, in);
            OutputPath.refuseSameFile("--checkpoint", ckpt, inName, in);
            for (Path r : reports) OutputPath.refuseSameFile("--report", r, inName, in);
        }
        OutputPath.refuseSameFile("--checkpoint", ckpt, "--output", output);
        for (Path r : reports) {
            OutputPath.refuseSameFile("--report", r, "--output", output);
            OutputPath.refuseSameFile("--report", r, "--checkpoint", ckpt);
        }
        try (Task task = task(name, d, b, vf)) {
            // training keeps θ about nine times on the heap (θ, its gradient, the best θ, two Adam moments and the
            // checkpoint's snapshot of four of them): refuse what cannot fit (the data's own sizes are checked above)
            long heap = Sizes.product(9, 2, layers, d, d, Float.BYTES), max = Runtime.getRuntime().maxMemory();
            if (heap > max)
                throw new ParameterException(spec.commandLine(), "--hidden " + d + " with --layers " + layers + " needs about " + heap
                        + " bytes of heap for the recurrent weights in training, more than this JVM's largest heap (" + max
                        + " bytes): lower --hidden or --layers, or raise the heap with -Xmx");
            Progress progress = Progress.forStderr(name.equals("chars") ? "char" : "seq");
            SegmentOps ops = Trainer.segmentOps(e, task.train(), layers * d);
            Trainer trainer = new Trainer(config, Blas.get(), ops, progress);
            TrainingReport charts = report == null ? null : new TrainingReport(report, name, task.loss(),
                    "hidden " + d + (layers > 1 ? " x " + layers + " layers" : "") + (f != Nonlinearity.TANH ? ", " + f.id() : "") + ", seed " + seed);
            if (charts != null) trainer.onEpoch(charts);
            Trainer.Result r = trainer
                    .train(task.train(), task.validation(), task.output(), task.loss(), ckpt, resume);
            if (charts != null) charts.finish();
            int n = task.train().n(), k = task.train().k();
            String figure;
            try (ParamBuffers p = ParamBuffers.of(r.params(), n, d, k); BatchedBptt bptt = new BatchedBptt(Blas.get(), ops, n, d, k, layers, f, task.output())) {
                figure = task.figure(bptt, p);
            }
            Map<String, String> meta = new LinkedHashMap<>(task.metadata());
            meta.put("trained_epochs", Integer.toString(r.epochsRun()));
            meta.put("seed", Long.toString(seed));
            try (ElmanRnn model = ElmanRnn.of(n, d, k, task.output(), f, r.params())) {
                ModelFile.save(model, output, meta);
            }
            if (!keepCheckpoint && ckpt != null) removeCheckpoint(ckpt);
            progress.line(r.stopReason() + "; model written to " + OutputPath.shown(output));
            PrintWriter out = CheckedOutput.reportTo(spec.commandLine(), output);
            out.println(figure + String.format(Locale.ROOT, " train_seconds=%.3f epochs=%d", r.trainSeconds(), r.epochsRun()));
            out.flush();
        }
        return 0;
    }

    private Task task(String name, int d, int b, double vf) {
        switch (name) {
            case "digits" -> { return new Digits(d, layers, b, vf, seed); }
            case "co2" -> { return Forecast.co2(d, layers, b, window != null ? window : 48, vf, differences == null || differences); }
            case "captions" -> { return new Captions(d, layers, b); }
            case "trends" -> { return new Trends(series, window != null ? window : 36, stride != null ? stride : 3, d, layers, b); }
            case "chars" -> {
                int w = window != null ? window : 64;
                return new Chars(d, layers, b, w, stride != null ? stride : w);
            }
            default -> { return userTask(d, b, vf); }
        }
    }

    /** A whole-number option within [min, max], else a usage error (exit 2) naming it. */
    private void range(String option, int value, int min, int max) {
        if (value < min || value > max)
            throw new ParameterException(spec.commandLine(), option + " must be " + (max == Integer.MAX_VALUE ? "at least " + min : min + " to " + max)
                    + ", not " + value);
    }

    /** A size made of options, checked before anything is allocated: a usage error (exit 2) when it cannot be held. */
    private void size(String what, long... factors) {
        String problem = Sizes.floatsProblem(Sizes.product(factors));
        if (problem != null) throw new ParameterException(spec.commandLine(), what + " is " + problem);
    }

    private Task userTask(int d, int b, double vf) {
        if (features < 1 || outputs < 1 || classes < 0) throw new ParameterException(spec.commandLine(), "--features, --outputs must be >= 1, --classes >= 0");
        size("--hidden × --features", d, features);
        size("--outputs × --hidden", outputs, d);
        if (classes > 0) size("--classes × --hidden", classes, d);
        if (window != null) size("--batch × --window × --features", b, window, features);
        boolean st = source.train.getFileName().toString().endsWith(".safetensors");
        if (topology == Topology.MANY_TO_MANY && !st)
            return Forecast.csv(CsvTable.read(source.train), test == null ? null : CsvTable.read(test), d, layers, b, window != null ? window : 24, vf, differences != null && differences);
        SequenceSet all, testSet = null;
        Output g;
        Loss l;
        if (st) {
            all = UserSequences.safetensors(source.train, topology, d, layers, b);
            if (test != null) testSet = UserSequences.safetensors(test, topology, d, layers, 512);
            g = activation != null ? activation : topology == Topology.MANY_TO_ONE ? Output.SOFTMAX : Output.IDENTITY;
            l = loss != null ? loss : g == Output.IDENTITY ? Loss.MSE : Loss.CE;
        } else if (topology == Topology.MANY_TO_ONE) {
            CsvTable t = CsvTable.read(source.train);
            CsvTable te = test == null ? null : CsvTable.read(test);
            int k = classes > 0 ? classes : Math.max(2, maxLabel(t) + 1);
            String tooMany = Sizes.floatsProblem(Sizes.product(k, d));
            if (tooMany != null)
                throw VecrnnException.inFile(source.train, "its largest label gives " + k + " classes; the output layer (classes × hidden) would need " + tooMany);
            all = UserSequences.manyToOne(t, features, k, d, layers, b);
            if (te != null) testSet = UserSequences.manyToOne(te, features, k, d, layers, 512);
            g = Output.SOFTMAX;
            l = Loss.CE;
        } else {
            all = UserSequences.oneToMany(CsvTable.read(source.train), features, outputs, d, layers, b);
            if (test != null) testSet = UserSequences.oneToMany(CsvTable.read(test), features, outputs, d, layers, 512);
            g = Output.IDENTITY;
            l = Loss.MSE;
        }
        if (testSet != null && (testSet.T != all.T || testSet.n != all.n || testSet.k != all.k))
            throw new org.vecrnn.VecrnnException(test + ": sequences of T=" + testSet.T + " n=" + testSet.n + " k=" + testSet.k
                    + ", the training data has T=" + all.T + " n=" + all.n + " k=" + all.k);
        return new UserSequences(Digits.split(all, vf, seed, b), testSet, g, l);
    }

    /** The model is on disk, so the checkpoint (about four times its size) has done its job. */
    private static void removeCheckpoint(Path ckpt) {
        // only a file of its own: never a device (--checkpoint /dev/null), a FIFO, or a symbolic link
        if (!java.nio.file.Files.isRegularFile(ckpt, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
        try {
            java.nio.file.Files.deleteIfExists(ckpt);
        } catch (java.io.IOException e) {
            throw VecrnnException.inFile(ckpt, "the model is written, but the checkpoint could not be removed: " + e.getMessage());
        }
    }

    /** The largest label in column 1, each checked as a non-negative integer (with file and line). */
    private static int maxLabel(CsvTable t) {
        int max = 0;
        for (int r = 0; r < t.rows(); r++) max = Math.max(max, t.label(r, 0, 1 << 16));
        return max;
    }
}
