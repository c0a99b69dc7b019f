package org.vecrnn.train;

import java.nio.file.Path;
import java.util.Random;
import org.vecrnn.VecrnnException;
import org.vecrnn.blas.Sgemm;
import org.vecrnn.kernel.SegmentOps;
import org.vecrnn.model.Loss;
import org.vecrnn.model.Nonlinearity;
import org.vecrnn.model.Output;
import org.vecrnn.model.Parameters;

/**
 * Mini-batch training: per epoch, batches in the data's (seeded) order, batched BPTT, clipping by global
 * norm, an optimizer step at the scheduled learning rate; then the validation loss (early stopping keeps
 * the best θ), then an atomic checkpoint. Everything random comes from the seed and the epoch number, and
 * OpenBLAS on one thread is deterministic, so the same seed gives the same model bit for bit on one
 * machine, and a run resumed from a checkpoint ends where an uninterrupted one does. Checkpoints are
 * written by a {@link CheckpointWriter} on a background thread, at most one epoch behind training.
 */
public final class Trainer {
    /** The model's shape (hidden size d, layers, nonlinearity) and the training settings. */
    public record Config(int hidden, int epochs, float lr, Optimizer.Kind optimizer, float momentum, float clip, long seed,
                         Schedule.Kind schedule, int patience, double maxSeconds, int layers, Nonlinearity nonlinearity) {
        public Config {
            if (hidden < 1) throw new IllegalArgumentException("hidden size must be at least 1, got " + hidden);
            if (layers < 1 || layers > Parameters.MAX_LAYERS)
                throw new IllegalArgumentException("layers must be 1 to " + Parameters.MAX_LAYERS + ", got " + layers);
            if (nonlinearity == null) throw new IllegalArgumentException("nonlinearity is null");
            if (epochs < 1) throw new IllegalArgumentException("epochs must be at least 1, got " + epochs);
            if (!(lr > 0) || !Float.isFinite(lr)) throw new IllegalArgumentException("learning rate must be positive, got " + lr);
            if (!(clip >= 0) || !Float.isFinite(clip)) throw new IllegalArgumentException("clip must be 0 (off) or positive, got " + clip);
            if (patience < 0) throw new IllegalArgumentException("patience must be 0 (off) or positive, got " + patience);
            if (!(maxSeconds >= 0)) throw new IllegalArgumentException("time limit must be 0 (none) or positive, got " + maxSeconds);
        }

        /** One tanh layer: the seed's model. */
        public Config(int hidden, int epochs, float lr, Optimizer.Kind optimizer, float momentum, float clip, long seed,
                      Schedule.Kind schedule, int patience, double maxSeconds) {
            this(hidden, epochs, lr, optimizer, momentum, clip, seed, schedule, patience, maxSeconds, 1, Nonlinearity.TANH);
        }
    }

    /** The trained θ (the best on validation when there is a validation set) and how training went. */
    public record Result(Parameters params, int epochsRun, double trainSeconds, double bestVal, int bestEpoch, String stopReason) {}

    private final Config c;
    private final Sgemm gemm;
    private final SegmentOps ops;
    private final Progress progress;
    /** Told each epoch's figures when set (reports); accuracy is then counted for softmax outputs. */
    private java.util.function.Consumer<EpochStats> epochs;

    public Trainer(Config c, Sgemm gemm, SegmentOps ops, Progress progress) {
        this.c = c;
        this.gemm = gemm;
        this.ops = ops;
        this.progress = progress;
    }

    /**
     * The element-wise ops for {@code epochs} epochs over {@code data} with {@code units} hidden units in all
     * layers (layers × d): about that many tanh or relu evaluations decide between the heap-array loops and the
     * Vector API ({@link SegmentOps#forWork}).
     */
    public static SegmentOps segmentOps(int epochs, TrainingData data, int units) {
        Batch first = data.batch(0); // its T and B
        return SegmentOps.forWork((long) epochs * data.batches() * first.T * first.B * units);
    }

    /** PyTorch's default: every parameter ~ U(-1/sqrt(d), 1/sqrt(d)). */
    public static Parameters init(int n, int d, int k, long seed) {
        return init(n, d, k, 1, seed);
    }

    /** The same for {@code layers} layers, drawn in the order of {@link Parameters#all()} (one layer: as above). */
    public static Parameters init(int n, int d, int k, int layers, long seed) {
        Random r = new Random(seed);
        Parameters p = Parameters.zeros(n, d, k, layers);
        float bound = (float) (1 / Math.sqrt(d));
        for (float[] a : p.all()) for (int i = 0; i < a.length; i++) a[i] = (2 * r.nextFloat() - 1) * bound;
        return p;
    }

    /** Tells {@code listener} each epoch's figures ({@link EpochStats}); returns this. */
    public Trainer onEpoch(java.util.function.Consumer<EpochStats> listener) {
        this.epochs = listener;
        return this;
    }

    public Result train(TrainingData train, TrainingData val, Output g, Loss loss, Path checkpoint, boolean resume) {
        loss.checkCompatible(g);
        int n = train.n(), d = c.hidden, k = train.k(), layers = c.layers;
        Schedule schedule = new Schedule(c.schedule, c.lr, c.epochs, Math.max(1, c.epochs / 3));
        String fingerprint = "n=" + n + " d=" + d + " k=" + k + " output=" + g.id() + " loss=" + loss.id() + " optimizer=" + c.optimizer.id()
                + " lr=" + c.lr + " momentum=" + c.momentum + " clip=" + c.clip + " seed=" + c.seed + " schedule=" + c.schedule.id()
                + " epochs=" + c.epochs + " batches=" + train.batches();
        Parameters theta = init(n, d, k, layers, c.seed), grad = Parameters.zeros(n, d, k, layers), best = theta.copy();
        Optimizer opt = Optimizer.create(c.optimizer, n, d, k, layers, c.momentum);
        try (ParamBuffers params = new ParamBuffers(n, d, k, layers); ParamBuffers grads = new ParamBuffers(n, d, k, layers);
             BatchedBptt bptt = new BatchedBptt(gemm, ops, n, d, k, layers, c.nonlinearity, g);
             CheckpointWriter writer = checkpoint == null ? null : new CheckpointWriter(checkpoint, fingerprint, c.nonlinearity)) {
            Checkpoint.State state = new Checkpoint.State(0, 0, Double.POSITIVE_INFINITY, 0, -1);
            if (resume) {
                state = Checkpoint.read(checkpoint, fingerprint, c.nonlinearity, theta, best, opt);
                progress.line("resuming from " + checkpoint + " after epoch " + state.epochsDone());
            }
            long start = System.nanoTime();
            String stop = "completed " + c.epochs + " epochs";
            int epoch = state.epochsDone();
            for (; epoch < c.epochs; epoch++) {
                long epochStart = System.nanoTime();
                train.startEpoch(epoch, c.seed);
                double lossSum = 0;
                long targets = 0, examples = 0;
                int batches = train.batches();
                boolean outOfTime = false;
                Accuracy trainAccuracy = epochs != null && g == Output.SOFTMAX ? new Accuracy() : null;
                for (int i = 0; i < batches; i++) {
                    Batch batch = train.batch(i);
                    params.set(theta);
                    double L = bptt.lossAndGradients(params, batch, loss, grads, null, null);
                    if (trainAccuracy != null) trainAccuracy.add(batch, bptt.o());
                    train.afterBatch(i, bptt);
                    grads.copyTo(grad);
                    double norm2 = grad.squaredNorm();
                    if (!Double.isFinite(L) || !Double.isFinite(norm2))
                        throw nanStop(epoch, i, batches, Double.isFinite(L) ? "the gradient norm became " + Math.sqrt(norm2) : "the loss became " + L, checkpoint, state, writer);
                    double norm = Math.sqrt(norm2);
                    if (c.clip > 0 && norm > c.clip) scale(grad, (float) (c.clip / norm));
                    opt.step(theta, grad, schedule.at(epoch, (double) i / batches));
                    lossSum += L * batch.B;
                    targets += train.targets(i);
                    examples += train.examples(i);
                    double secs = (System.nanoTime() - epochStart) / 1e9, rate = examples / Math.max(secs, 1e-9);
                    double eta = secs / (i + 1) * ((batches - i - 1) + (double) batches * (c.epochs - epoch - 1));
                    progress.batch(epoch, c.epochs, i, batches, lossSum / targets, rate, eta);
                    if (c.maxSeconds > 0 && (System.nanoTime() - start) / 1e9 >= c.maxSeconds && i + 1 < batches) {
                        outOfTime = true;
                        break;
                    }
                }
                params.set(theta);
                Accuracy valAccuracy = trainAccuracy != null && val != null ? new Accuracy() : null;
                double valLoss = val == null ? Double.NaN : evaluate(bptt, params, val, loss, valAccuracy);
                if (val != null && !Double.isFinite(valLoss))
                    throw nanStop(epoch, batches - 1, batches, "the validation loss became " + valLoss, checkpoint, state, writer);
                int bad = state.badEpochs(), bestEpoch = state.bestEpoch();
                double bestVal = state.bestVal();
                String note = "";
                if (val == null || valLoss < bestVal) {
                    copy(theta, best);
                    bestVal = val == null ? Double.NaN : valLoss;
                    bestEpoch = epoch;
                    bad = 0;
                    if (val != null) note = "(best)";
                } else {
                    bad++;
                }
                double secs = (System.nanoTime() - epochStart) / 1e9;
                progress.epoch(epoch, c.epochs, lossSum / targets, valLoss, examples / Math.max(secs, 1e-9), secs, note);
                if (epochs != null)
                    epochs.accept(new EpochStats(epoch + 1, lossSum / targets, valLoss, trainAccuracy == null ? Double.NaN : trainAccuracy.value(),
                            valAccuracy == null ? Double.NaN : valAccuracy.value(), secs));
                if (outOfTime) {
                    stop = "time limit of " + c.maxSeconds + " s reached during epoch " + (epoch + 1);
                    epoch++;
                    state = new Checkpoint.State(state.epochsDone(), opt.steps(), bestVal, bad, bestEpoch);
                    break;
                }
                state = new Checkpoint.State(epoch + 1, opt.steps(), bestVal, bad, bestEpoch);
                if (writer != null) writer.submit(state, theta, best, opt);
                if (c.patience > 0 && bad >= c.patience && epoch + 1 < c.epochs) {
                    stop = "early stop: no validation improvement for " + bad + " epochs";
                    epoch++;
                    break;
                }
                if (c.maxSeconds > 0 && (System.nanoTime() - start) / 1e9 >= c.maxSeconds && epoch + 1 < c.epochs) {
                    stop = "time limit of " + c.maxSeconds + " s reached after epoch " + (epoch + 1);
                    epoch++;
                    break;
                }
            }
            if (writer != null) writer.await(); // the last checkpoint is on disk before the clock stops
            double seconds = (System.nanoTime() - start) / 1e9;
            return new Result(best, epoch, seconds, state.bestVal(), state.bestEpoch(), stop);
        }
    }

    /** Mean loss per target step over a whole data set (no shuffling; streams carry their state). */
    public static double evaluate(BatchedBptt bptt, ParamBuffers params, TrainingData data, Loss loss) {
        return evaluate(bptt, params, data, loss, null);
    }

    /** The same, also counting right answers into {@code accuracy} when it is not null. */
    static double evaluate(BatchedBptt bptt, ParamBuffers params, TrainingData data, Loss loss, Accuracy accuracy) {
        data.startEpoch(0, 0);
        double sum = 0;
        long targets = 0;
        for (int i = 0; i < data.batches(); i++) {
            Batch b = data.batch(i);
            sum += bptt.loss(params, b, loss) * b.B;
            if (accuracy != null) accuracy.add(b, bptt.o());
            data.afterBatch(i, bptt);
            targets += data.targets(i);
        }
        return sum / targets;
    }

    private static void scale(Parameters p, float f) {
        for (float[] a : p.all()) for (int i = 0; i < a.length; i++) a[i] *= f;
    }

    private static void copy(Parameters from, Parameters to) {
        float[][] f = from.all(), t = to.all();
        for (int i = 0; i < f.length; i++) System.arraycopy(f[i], 0, t[i], 0, f[i].length);
    }

    private static VecrnnException nanStop(int epoch, int batch, int batches, String what, Path checkpoint, Checkpoint.State last,
                                           CheckpointWriter writer) {
        if (writer != null) writer.await(); // "is kept" below must be true when the message is read
        String kept = checkpoint == null ? "no checkpoint file was asked for"
                : last.epochsDone() == 0 ? "no checkpoint had been written yet"
                : "the last good checkpoint " + checkpoint + " (after epoch " + last.epochsDone() + ") is kept";
        return new VecrnnException(what + " at epoch " + (epoch + 1) + ", batch " + (batch + 1) + " of " + batches
                + ": training stopped (try a lower --lr or --clip); " + kept);
    }
}
