package org.vecrnn.infer;

import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.vecrnn.kernel.Activation;
import org.vecrnn.kernel.StepKernel;

/**
 * A kernel of sizes (2, 3, 1) whose outputs are zeros, for tests of the warm-up: it counts its steps, and when
 * given latches, its first step counts {@code entered} down and waits (up to 60 s) for {@code release}.
 */
final class TinyKernel implements StepKernel {
    final AtomicLong steps = new AtomicLong();
    private final CountDownLatch entered, release;

    TinyKernel() {
        this(null, null);
    }

    TinyKernel(CountDownLatch entered, CountDownLatch release) {
        this.entered = entered;
        this.release = release;
    }

    /** A hand-off from {@code twin} to {@code vector}, one layer each, with a copying activation. */
    static HandOff handOff(TinyKernel twin, TinyKernel vector) {
        Activation copy = (z, zOff, o, oOff, k) -> System.arraycopy(z, zOff, o, oOff, k);
        return new HandOff(new StepKernel[] {twin}, new StepKernel[] {vector}, copy, copy);
    }

    @Override public int n() { return 2; }
    @Override public int d() { return 3; }
    @Override public int k() { return 1; }

    @Override
    public void step(float[] h, float[] x, float[] hNext) {
        if (steps.getAndIncrement() == 0 && entered != null) {
            entered.countDown();
            try {
                release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Arrays.fill(hNext, 0, 3, 0f);
    }

    @Override
    public void stepProjected(float[] h, float[] p, int pOff, float[] hNext) {
        step(h, null, hNext);
    }

    @Override
    public void head(float[] h, float[] z) {
        z[0] = 0f;
    }

    @Override public long weightBytes() { return 0; }
    @Override public String describe() { return "tiny"; }
    @Override public void close() {}
}
