package org.vecrnn.infer;

import org.vecrnn.kernel.Activation;
import org.vecrnn.kernel.StepKernel;

/**
 * A freshly loaded model's switch from the plain Java twins of its Vector API kernels to those kernels. In a
 * fresh JVM the Vector API runs as Java fallbacks until C2 has compiled the kernels (2-4 s after the load on 2
 * cores), while the twins, the same operations in plain loops, are compiled within about 0.2 s. So {@link InferenceModel#load}
 * gives the model's streams the twins, warms the Vector API kernels on scratch streams ({@link WarmUp}), and
 * hands over once they run at steady speed. The twins compute the same bits, so a stream's results do not
 * depend on when that happens, and a step may even run one layer on each.
 */
final class HandOff {
    private final Layer[] layers;
    private final Act act;
    private volatile boolean done, closing;
    /** The thread that goes on warming the Vector API kernels after load returned, if any. */
    private Thread warmer;

    /** twins[l] and vector[l] compute layer l, the same bits; twinAct and vectorAct the output activation. */
    HandOff(StepKernel[] twins, StepKernel[] vector, Activation twinAct, Activation vectorAct) {
        layers = new Layer[vector.length];
        for (int l = 0; l < layers.length; l++) layers[l] = new Layer(twins[l], vector[l]);
        act = new Act(twinAct, vectorAct);
    }

    /** What the model's streams step on: the twins until {@link #complete}, then the Vector API kernels. */
    StepKernel[] layers() {
        return layers.clone();
    }

    Activation activation() {
        return act;
    }

    /** The Vector API kernels, for the warm-up. */
    StepKernel[] vector() {
        StepKernel[] v = new StepKernel[layers.length];
        for (int l = 0; l < v.length; l++) v[l] = layers[l].vector;
        return v;
    }

    Activation vectorActivation() {
        return act.vector;
    }

    /** From now on every step runs the Vector API kernels; the twins' weight copies become garbage. */
    void complete() {
        for (Layer l : layers) l.now = l.vector;
        act.now = act.vector;
        done = true;
    }

    boolean done() {
        return done;
    }

    /** Starts the thread that warms the Vector API kernels and then completes the hand-over. */
    synchronized void startWarmer(Runnable warm) {
        if (closing) return;
        warmer = Thread.ofPlatform().daemon().name("vecrnn-warm-up").start(warm);
    }

    /** The warm-up thread, or null if none was started. */
    synchronized Thread warmer() {
        return warmer;
    }

    /** Whether the model is being closed: the warmer stops at its next block. */
    boolean closing() {
        return closing;
    }

    /** Stops the warmer and waits for it, so that the model's kernels are not closed under it. */
    void close() {
        Thread t;
        synchronized (this) {
            closing = true;
            t = warmer;
        }
        if (t == null || t == Thread.currentThread()) return;
        boolean interrupted = false;
        while (t.isAlive()) {
            try {
                t.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    /** One layer: every call goes to the twin or, after the hand-over, to the Vector API kernel. */
    private static final class Layer implements StepKernel {
        private final StepKernel vector;
        private volatile StepKernel now;

        Layer(StepKernel twin, StepKernel vector) {
            if (twin.n() != vector.n() || twin.d() != vector.d() || twin.k() != vector.k())
                throw new IllegalArgumentException("a twin must have its kernel's sizes");
            this.vector = vector;
            this.now = twin;
        }

        @Override public int n() { return vector.n(); }
        @Override public int d() { return vector.d(); }
        @Override public int k() { return vector.k(); }

        @Override
        public void step(float[] h, float[] x, float[] hNext) {
            now.step(h, x, hNext);
        }

        @Override
        public void step(float[] h, float[] x, float[] hNext, boolean backward) {
            now.step(h, x, hNext, backward);
        }

        @Override
        public void stepGroup(float[][] h, float[][] x, float[][] hNext, int m) {
            now.stepGroup(h, x, hNext, m);
        }

        @Override
        public void headGroup(float[][] h, float[][] z, int m) {
            now.headGroup(h, z, m);
        }

        @Override
        public void stepProjected(float[] h, float[] p, int pOff, float[] hNext) {
            now.stepProjected(h, p, pOff, hNext);
        }

        @Override
        public void head(float[] h, float[] z) {
            now.head(h, z);
        }

        @Override
        public boolean allFinite(float[] v, int off, int len) {
            return now.allFinite(v, off, len);
        }

        @Override
        public long weightBytes() {
            return vector.weightBytes();
        }

        /** The Vector API kernel's: what the model runs once it is warm (the twin is a start-up detail). */
        @Override
        public String describe() {
            return vector.describe();
        }

        /** Closed, a layer refuses every call, as its Vector API kernel does (the twin would still run). */
        @Override
        public void close() {
            now = vector;
            vector.close();
        }
    }

    private static final class Act implements Activation {
        private final Activation vector;
        private volatile Activation now;

        Act(Activation twin, Activation vector) {
            this.vector = vector;
            this.now = twin;
        }

        @Override
        public void apply(float[] z, int zOff, float[] o, int oOff, int k) {
            now.apply(z, zOff, o, oOff, k);
        }
    }
}
