package org.vecrnn.infer;

import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import org.vecrnn.JitActivity;
import org.vecrnn.kernel.Activation;
import org.vecrnn.kernel.StepKernel;

/**
 * Brings a freshly loaded model to steady speed, so that the caller's first steps do not break a latency goal.
 * In a fresh JVM the Vector API kernels start as Java fallbacks (every vector boxed: a step at d = 256 took
 * 4 ms fp32 and 10 ms int8), and C2, one thread on 2 cores, compiles dozens of those fallbacks (5 to 40 ms each,
 * and they are the hottest methods in its queue) before it reaches the kernels, which are the only ones whose
 * compiled code the steady step uses: about two seconds.
 *
 * <p>So a model with Vector API kernels is loaded behind a {@link HandOff}: its streams step on the kernels'
 * plain Java twins (the same bits), which C2 compiles within about 0.2 s. {@link #load} warms the twins on a
 * scratch stream through the caller's own path ({@link StreamState#step}) for {@link JitActivity#C2_CALLS} steps
 * and until two successive blocks agree within {@value #AGREE} while the JIT is quiet, and returns; a daemon
 * thread then warms the Vector API kernels and hands the model over to them once they are steady and have run
 * {@link JitActivity#C2_CALLS} steps (their C1 code is steady too, and slow). It runs beside the caller's first
 * steps, so it runs at the lowest CPU priority where it can ({@link LowPriority}), in short blocks, and waits
 * while the JIT is busy (see {@link #blocks(String, long, BooleanSupplier, Call, boolean, long)}). A model
 * without twins (scalar kernels) is warmed the same way, on its own kernels. The grouped step is
 * warmed by the model's first {@link InferenceModel#newGroup} (a small group, 4 + 2 + 1 streams: every tile of
 * the grouped loops). No stream's state is ever touched (scratch streams without preprocessing). On by
 * default; the system property {@code -Dvecrnn.warmup=false} (or {@code load(path, pre, false)}) turns it off.
 * Its cost and the hand-over are logged at DEBUG.
 */
final class WarmUp {
    private WarmUp() {}

    static final double AGREE = 0.10;
    /** The time load aims to return in, reading included. */
    static final long LOAD_BUDGET_MS = 900;
    /** The least a warm-up gets, however long the reading took. */
    static final long MIN_MS = 200;
    /** Steps per block: a few ms once compiled at d = 256, so a block is long enough to time. */
    private static final int BLOCK = 256;
    private static final System.Logger LOG = System.getLogger(WarmUp.class.getName());

    /** Whether load warms models: the system property vecrnn.warmup, true unless set to false. */
    static boolean enabled() {
        return !"false".equalsIgnoreCase(System.getProperty("vecrnn.warmup", "true").trim());
    }

    /** The deadline of a warm-up that follows reading that began at {@code startNanos}. */
    static long deadline(long startNanos) {
        long now = System.nanoTime();
        return Math.max(startNanos + LOAD_BUDGET_MS * 1_000_000L, now + MIN_MS * 1_000_000L);
    }

    /** How long the warm-up goes on after load returned, at most, before the model hands over anyway. */
    static final long BACKGROUND_MS = 30_000;

    /**
     * Load's warm-up: the model's own step (its twins, behind a hand-off) until steady or the deadline; then,
     * behind a hand-off, a daemon thread warms the Vector API kernels and hands over when they are steady (or
     * after {@value #BACKGROUND_MS} ms).
     */
    static void load(StepKernel[] layers, Activation g, HandOff handOff, long start) {
        // the twins too until C2 compiled their path: when two blocks agreed sooner, C2 was compiling the twins'
        // main loop 8-40 ms after load returned, and the first steps ran 9-14 µs instead of 7 (int8, d = 256)
        blocks("step", deadline(start), () -> false, stepCall(layers, g), false, JitActivity.C2_CALLS);
        if (handOff == null) return;
        StepKernel[] vector = handOff.vector();
        Activation va = handOff.vectorActivation();
        LowPriority.prepare();
        handOff.startWarmer(() -> {
            boolean low = LowPriority.lowerCurrentThread();
            try {
                long until = System.nanoTime() + BACKGROUND_MS * 1_000_000L;
                blocks("Vector API step", until, handOff::closing, kernelCall(vector, va), true, JitActivity.C2_CALLS);
            } catch (RuntimeException e) {
                // the Vector API kernels fail where their twins ran: keep the twins (the same results), and say so
                LOG.log(System.Logger.Level.WARNING, "vecrnn: warming the Vector API kernels failed (" + e + "); the model goes on with their plain Java twins");
                return;
            }
            if (handOff.closing()) return;
            handOff.complete();
            long ms = (System.nanoTime() - start) / 1_000_000;
            LOG.log(System.Logger.Level.DEBUG, () -> "vecrnn: the model steps on its Vector API kernels from " + ms + " ms after load began"
                    + (low ? " (warmed at nice " + LowPriority.NICE + ")" : " (warmed at normal priority)"));
        });
    }

    /** Warms the Vector API kernels behind {@code handOff} on this thread until {@code deadline}; hands over if they got steady. */
    static void handOff(HandOff handOff, long deadline) {
        if (blocks("Vector API step", deadline, handOff::closing, kernelCall(handOff.vector(), handOff.vectorActivation()), false, JitActivity.C2_CALLS))
            handOff.complete();
    }

    /** Warms the step and head of these kernels until {@code deadline} (System.nanoTime) at the latest; returns whether they got steady. */
    static boolean step(StepKernel[] layers, Activation g, long deadline) {
        return blocks("step", deadline, () -> false, stepCall(layers, g), false, JitActivity.C2_CALLS);
    }

    /** A call of the warm-up of the step: one step of a scratch stream of these kernels. */
    private static Call stepCall(StepKernel[] layers, Activation g) {
        StreamState s = new StreamState(layers, g, null);
        float[][] xs = inputs(layers[0].n());
        float[] out = new float[layers[layers.length - 1].k()];
        return t -> {
            if ((t & 63) == 0) s.reset(); // keep h away from any fixed point
            s.step(xs[t & 7], out);
            return 1;
        };
    }

    /**
     * A call of the warm-up of kernels that the model's streams do not step on yet (the Vector API kernels behind
     * a hand-off): what {@link StreamState#step} asks of them (each layer's step in alternating directions and
     * its check, the head, its check, the activation), called directly. Through a StreamState of their own,
     * StreamState.step would see two kinds of kernel where the caller's streams see one, and C2 would throw away
     * its compiled code of the twins' path, which the caller's first steps run.
     */
    private static Call kernelCall(StepKernel[] layers, Activation g) {
        int L = layers.length, n = layers[0].n(), d = layers[0].d(), k = layers[L - 1].k();
        StepKernel top = layers[L - 1];
        float[][] xs = inputs(n), h = new float[L][d], next = new float[L][d];
        float[] z = new float[k], out = new float[k];
        return t -> {
            if ((t & 63) == 0) for (float[] v : h) java.util.Arrays.fill(v, 0f);
            float[] in = xs[t & 7];
            boolean finite = layers[0].allFinite(in, 0, n);
            for (int l = 0; l < L; l++) {
                layers[l].step(h[l], in, next[l], (t & 1) == 1);
                finite &= layers[l].allFinite(next[l], 0, d);
                in = next[l];
            }
            top.head(in, z);
            finite &= top.allFinite(z, 0, k);
            g.apply(z, 0, out, 0, k);
            // h as a stream's: the new state, unless it overflowed (extreme weights; then the next step starts over)
            for (int l = 0; l < L; l++) {
                float[] v = h[l];
                h[l] = next[l];
                next[l] = v;
                if (!finite) java.util.Arrays.fill(h[l], 0f);
            }
            return 1;
        };
    }

    /**
     * Warms the grouped step of these kernels: groups of 7 (4 + 2 + 1 streams, every tile) and 4, for
     * {@link JitActivity#C2_CALLS} calls of the kernels' tiles at least (a tile takes up to 4 streams).
     */
    static boolean group(StepKernel[] layers, Activation g, long deadline) {
        float[][] xs = inputs(layers[0].n());
        StreamState[] members = new StreamState[7];
        float[][] outs = new float[7][layers[layers.length - 1].k()];
        for (int i = 0; i < members.length; i++) members[i] = new StreamState(layers, g, null);
        StreamGroup group = new StreamGroup(layers, g, members.length);
        return blocks("grouped step", deadline, () -> false, t -> {
            if ((t & 63) == 0) for (StreamState m : members) m.reset();
            group.step(members, xs, outs, (t & 1) == 0 ? 7 : 4);
            return (t & 1) == 0 ? 7 : 4;
        }, false, 4 * JitActivity.C2_CALLS);
    }

    private static float[][] inputs(int n) {
        SplittableRandom r = new SplittableRandom(18);
        float[][] xs = new float[8][n];
        for (float[] x : xs) for (int j = 0; j < n; j++) x[j] = (float) r.nextDouble(-1, 1);
        return xs;
    }

    /** One call of a warm-up's block: call t; returns the stream-steps it ran. */
    private interface Call {
        int run(int t);
    }

    /**
     * Calls in blocks of up to 20 ms until two agree while the JIT was quiet, after {@code minSteps} stream-steps
     * (at least {@link JitActivity#C2_CALLS}: C1 code is slower and steady too): steady, returns true. Returns
     * false when the deadline passes or {@code stop} says so first.
     * {@code beside} a caller (the warm-up after load returned): blocks of up to 2 ms, and between them a wait
     * while the JIT is compiling. On 2 cores the caller's steps, the C2 thread and this one would otherwise be
     * three threads on two cores, and the caller's steps would wait for the scheduler: at d = 256 one step in ten
     * took 25-60 µs instead of 8. The compilations a block asks for are queued by then; the warm-up only needs to
     * call again once C2 has worked through them.
     */
    private static boolean blocks(String what, long deadline, BooleanSupplier stop, Call call, boolean beside, long minSteps) {
        try {
            return timedBlocks(what, deadline, stop, call, beside, minSteps);
        } catch (NonFiniteStateException e) {
            // the warm-up's inputs overflow this model (extreme weights): a load still succeeds, and each
            // user's step that overflows is reported by the non-finite rule; the warm-up just ends here
            LOG.log(System.Logger.Level.DEBUG, () -> "vecrnn: warm-up of the " + what + " stopped: " + e.getMessage());
            return false;
        }
    }

    private static boolean timedBlocks(String what, long deadline, BooleanSupplier stop, Call call, boolean beside, long minSteps) {
        long t0 = System.nanoTime(), blockNanos = beside ? 2_000_000L : 20_000_000L;
        JitActivity jit = new JitActivity();
        long steps = 0;
        double last = Double.MAX_VALUE;
        boolean steady = false;
        while (System.nanoTime() < deadline && !steady && !stop.getAsBoolean()) {
            if (beside) jit.awaitQuiet(deadline, stop);
            jit.begin();
            // a block: BLOCK calls, or fewer when its time or the deadline pass first (a cold step at d = 1024
            // takes milliseconds); timed per stream-step
            long b0 = System.nanoTime();
            int blockSteps = 0;
            for (int t = 0; t < BLOCK && System.nanoTime() - b0 < blockNanos && System.nanoTime() < deadline; t++)
                blockSteps += call.run(t);
            double perStep = (System.nanoTime() - b0) / (double) Math.max(1, blockSteps);
            steps += blockSteps;
            // steady: two blocks agree and the JIT was quiet meanwhile, after minSteps
            steady = steps >= minSteps && Math.abs(perStep - last) <= AGREE * Math.min(perStep, last) && jit.quiet();
            last = perStep;
        }
        long ms = (System.nanoTime() - t0) / 1_000_000, total = steps;
        boolean done = steady;
        LOG.log(System.Logger.Level.DEBUG, () -> "vecrnn: warm-up of the " + what + ": " + total + " stream-steps in " + ms + " ms"
                + (done ? "" : " (it was not steady when it ended)") + "; -Dvecrnn.warmup=false turns it off");
        return steady;
    }
}
