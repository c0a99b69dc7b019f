package org.vecrnn.infer;

import java.util.SplittableRandom;
import org.vecrnn.kernel.Activation;
import org.vecrnn.kernel.StepKernel;

/**
 * Runs a freshly loaded model's step until the JIT has compiled it, so that the caller's first steps run at
 * steady speed. In a fresh JVM the Vector API kernels start interpreted (every vector boxed: a step at d = 256
 * took 4 ms fp32 and 10 ms int8) and stay slow until C2 has compiled them; a service would see that as its
 * first requests breaking their latency goal. Here the model's own kernels, on its own sizes, step a scratch
 * stream (both directions of the pass, the head, the activation) in blocks, until two successive blocks agree
 * within {@value #AGREE} while the JIT compiled nothing (the code is compiled and steady) or the deadline
 * passes. {@link InferenceModel#load} gives it what remains of {@value #LOAD_BUDGET_MS} ms after reading the
 * file (at least {@value #MIN_MS} ms). The grouped step is warmed the same way by the model's first
 * {@link InferenceModel#newGroup} (a small group, 4 + 2 + 1 streams: every tile of the grouped loops), so a
 * model that only streams one by one does not spend its budget there. The model's own state is never touched
 * (scratch streams without preprocessing). On by default; the system property {@code -Dvecrnn.warmup=false}
 * (or {@code load(path, pre, false)}) turns it off. Its cost is logged at DEBUG.
 *
 * <p>What bounds it: in the interpreter each vector operation runs the Vector API's Java fallback, so those
 * JDK methods get hot first and C2 compiles dozens of them (5 to 40 ms each) before it reaches the kernels,
 * which are the only ones whose compiled code the steady step uses. At d = 256 on 2 cores that queue takes
 * longer than the budget; bench/README.md gives the figures.
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

    /** Warms the step and head of these kernels until {@code deadline} (System.nanoTime) at the latest; returns the steps run. */
    static long step(StepKernel[] layers, Activation g, long deadline) {
        StreamState s = new StreamState(layers, g, null);
        float[][] xs = inputs(layers[0].n());
        float[] out = new float[layers[layers.length - 1].k()];
        return run("step", deadline, t -> {
            if ((t & 63) == 0) s.reset(); // keep h away from any fixed point
            s.step(xs[t & 7], out);
            return 1;
        });
    }

    /** Warms the grouped step of these kernels: groups of 7 (4 + 2 + 1 streams, every tile) and 4. */
    static long group(StepKernel[] layers, Activation g, long deadline) {
        float[][] xs = inputs(layers[0].n());
        StreamState[] members = new StreamState[7];
        float[][] outs = new float[7][layers[layers.length - 1].k()];
        for (int i = 0; i < members.length; i++) members[i] = new StreamState(layers, g, null);
        StreamGroup group = new StreamGroup(layers, g, members.length);
        return run("grouped step", deadline, t -> {
            if ((t & 63) == 0) for (StreamState m : members) m.reset();
            group.step(members, xs, outs, (t & 1) == 0 ? 7 : 4);
            return (t & 1) == 0 ? 7 : 4;
        });
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

    private static long run(String what, long deadline, Call call) {
        try {
            return blocks(what, deadline, call);
        } catch (NonFiniteStateException e) {
            // the warm-up's inputs overflow this model (extreme weights): a load still succeeds, and each
            // user's step that overflows is reported by the non-finite rule; the warm-up just ends here
            LOG.log(System.Logger.Level.DEBUG, () -> "vecrnn: warm-up of the " + what + " stopped: " + e.getMessage());
            return 0;
        }
    }

    private static long blocks(String what, long deadline, Call call) {
        long t0 = System.nanoTime();
        java.lang.management.CompilationMXBean jit = java.lang.management.ManagementFactory.getCompilationMXBean();
        boolean jitTimed = jit != null && jit.isCompilationTimeMonitoringSupported();
        long steps = 0, jitBefore = jitTimed ? jit.getTotalCompilationTime() : 0;
        double last = Double.MAX_VALUE;
        boolean steady = false;
        while (System.nanoTime() < deadline && !steady) {
            // a block: BLOCK calls, or fewer when 20 ms or the deadline pass first (a cold step at d = 1024 takes
            // milliseconds); timed per stream-step
            long b0 = System.nanoTime();
            int t = 0, blockSteps = 0;
            for (; t < BLOCK && System.nanoTime() - b0 < 20_000_000L && System.nanoTime() < deadline; t++)
                blockSteps += call.run(t);
            double perStep = (System.nanoTime() - b0) / (double) Math.max(1, blockSteps);
            steps += blockSteps;
            long jitNow = jitTimed ? jit.getTotalCompilationTime() : 0;
            // steady: two full blocks (BLOCK calls, or 32 in 20 ms at large sizes) agree and the JIT finished no
            // compilation meanwhile; interpreted blocks may agree too, but they hold a few calls
            steady = t >= 32 && Math.abs(perStep - last) <= AGREE * Math.min(perStep, last) && jitNow == jitBefore;
            last = perStep;
            jitBefore = jitNow;
        }
        long ms = (System.nanoTime() - t0) / 1_000_000, total = steps;
        boolean done = steady;
        LOG.log(System.Logger.Level.DEBUG, () -> "vecrnn: warm-up of the " + what + ": " + total + " stream-steps in " + ms + " ms"
                + (done ? "" : " (the deadline came before the " + what + " was steady)") + "; -Dvecrnn.warmup=false turns it off");
        return steps;
    }
}
