package org.vecrnn.infer;

import java.util.SplittableRandom;
import org.vecrnn.kernel.Activation;
import org.vecrnn.kernel.StepKernel;

/**
 * Runs a freshly loaded model's step until the JIT has compiled it, so that the caller's first steps run at
 * steady speed. In a fresh JVM the Vector API kernels start interpreted (every vector boxed: the first step
 * took 46-76 ms at d = 256) and stay slow until C2 has compiled them; a service would see that as its first
 * requests breaking their latency goal. Here the model's own kernels, on its own sizes, step a scratch stream
 * (both directions of the pass, the head, the activation) and a small group (4 + 2 + 1 streams: every
 * tile of the grouped loops) in blocks, until two successive blocks agree within {@value #AGREE} (the code is
 * compiled and steady) or {@value #BUDGET_MS} ms have passed. The model's own state is never touched (a
 * scratch stream without preprocessing). On by default in {@link InferenceModel#load}; the system property
 * {@code -Dvecrnn.warmup=false} (or {@code load(path, pre, false)}) turns it off. Its cost is logged at DEBUG.
 */
final class WarmUp {
    private WarmUp() {}

    static final double AGREE = 0.10;
    static final long BUDGET_MS = 700;
    /** Steps per block: a few ms once compiled at d = 256, so a block is long enough to time. */
    private static final int BLOCK = 256;
    private static final System.Logger LOG = System.getLogger(WarmUp.class.getName());

    /** Whether load warms models: the system property vecrnn.warmup, true unless set to false. */
    static boolean enabled() {
        return !"false".equalsIgnoreCase(System.getProperty("vecrnn.warmup", "true").trim());
    }

    /** Warms the step, head and grouped step of this kernel; returns the steps run. */
    static long run(StepKernel[] layers, Activation g) {
        try {
            return warm(layers, g);
        } catch (NonFiniteStateException e) {
            // the warm-up's inputs overflow this model (extreme weights): a load still succeeds, and each
            // user's step that overflows is reported by the non-finite rule; the warm-up just ends here
            LOG.log(System.Logger.Level.DEBUG, () -> "vecrnn: warm-up stopped: " + e.getMessage());
            return 0;
        }
    }

    private static long warm(StepKernel[] layers, Activation g) {
        StepKernel kernel = layers[0];
        long t0 = System.nanoTime(), deadline = t0 + BUDGET_MS * 1_000_000L;
        int n = kernel.n(), k = layers[layers.length - 1].k();
        SplittableRandom r = new SplittableRandom(18);
        float[][] xs = new float[8][n];
        for (float[] x : xs) for (int j = 0; j < n; j++) x[j] = (float) r.nextDouble(-1, 1);
        float[] out = new float[k];
        StreamState s = new StreamState(layers, g, null);
        StreamState[] members = new StreamState[7];
        float[][] outs = new float[7][k];
        for (int i = 0; i < members.length; i++) members[i] = new StreamState(layers, g, null);
        StreamGroup group = new StreamGroup(layers, g, members.length);
        java.lang.management.CompilationMXBean jit = java.lang.management.ManagementFactory.getCompilationMXBean();
        boolean jitTimed = jit != null && jit.isCompilationTimeMonitoringSupported();
        long steps = 0, jitBefore = jitTimed ? jit.getTotalCompilationTime() : 0;
        double last = Double.MAX_VALUE;
        boolean steady = false;
        while (System.nanoTime() < deadline && !steady) {
            // a block: up to BLOCK single steps and a group call every 32, ending early after 20 ms (a cold step at
            // d = 1024 takes milliseconds); timed per step
            long b0 = System.nanoTime();
            int t = 0;
            for (; t < BLOCK && (t < 32 || System.nanoTime() - b0 < 20_000_000L); t++) {
                if ((t & 63) == 0) s.reset(); // keep h away from any fixed point
                s.step(xs[t & 7], out);
                // the grouped tiles: 7 streams = 4 + 2 + 1, then 4
                if ((t & 31) == 31) {
                    group.step(members, xs, outs, 7);
                    group.step(members, xs, outs, 4);
                }
            }
            double perStep = (System.nanoTime() - b0) / (double) (t + t / 32 * 11);
            steps += t + t / 32 * 11;
            long jitNow = jitTimed ? jit.getTotalCompilationTime() : 0;
            // steady: two blocks agree and the JIT compiled nothing meanwhile (interpreted blocks agree too)
            steady = Math.abs(perStep - last) <= AGREE * Math.min(perStep, last) && jitNow == jitBefore;
            last = perStep;
            jitBefore = jitNow;
        }
        long ms = (System.nanoTime() - t0) / 1_000_000, total = steps;
        boolean done = steady;
        LOG.log(System.Logger.Level.DEBUG, () -> "vecrnn: warm-up: " + total + " steps in " + ms + " ms" + (done ? "" : " (budget reached before the step was steady)")
                + "; -Dvecrnn.warmup=false turns it off");
        return steps;
    }
}
