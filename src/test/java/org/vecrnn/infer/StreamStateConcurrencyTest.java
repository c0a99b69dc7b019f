package org.vecrnn.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.vecrnn.RandomModels;
import org.vecrnn.kernel.Activation;
import org.vecrnn.kernel.Kernels;
import org.vecrnn.kernel.StepKernel;
import org.vecrnn.model.ElmanRnn;
import org.vecrnn.model.Output;

/**
 * A StreamState used by two threads at once: the second is refused with IllegalStateException, the two
 * state buffers never become one array, and reset() always brings the stream back.
 */
class StreamStateConcurrencyTest {
    static final int N = 7, D = 19, K = 3;

    /** A kernel whose step waits in the middle until released, so that a second call meets the first. */
    static final class GateKernel implements StepKernel {
        final StepKernel inner;
        final CountDownLatch entered = new CountDownLatch(1), release = new CountDownLatch(1);

        GateKernel(StepKernel inner) { this.inner = inner; }

        @Override public int n() { return inner.n(); }
        @Override public int d() { return inner.d(); }
        @Override public int k() { return inner.k(); }

        @Override
        public void step(float[] h, float[] x, float[] hNext) {
            inner.step(h, x, hNext);
            entered.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override public void stepProjected(float[] h, float[] p, int pOff, float[] hNext) { inner.stepProjected(h, p, pOff, hNext); }
        @Override public void head(float[] h, float[] z) { inner.head(h, z); }
        @Override public long weightBytes() { return inner.weightBytes(); }
        @Override public String describe() { return "gate"; }
        @Override public void close() { inner.close(); }
    }

    @Test
    void aSecondThreadInsideOneStreamIsRefusedAndResetBringsItBack() throws Exception {
        try (ElmanRnn m = RandomModels.model(N, D, K, Output.SOFTMAX, 1, 11)) {
            GateKernel gate = new GateKernel(Kernels.stepKernel(m));
            StreamState s = new StreamState(gate, Activation.scalar(Output.SOFTMAX));
            float[] x = RandomModels.uniform(N, 1, 12);
            Thread first = new Thread(() -> s.step(x, new float[K]));
            first.start();
            assertTrue(gate.entered.await(10, TimeUnit.SECONDS));
            // the first step is inside the kernel now: every other call is refused, and changes nothing
            float[] o = new float[K], h = new float[D];
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.step(x, o));
            assertTrue(e.getMessage().contains("another thread"), e.getMessage());
            assertThrows(IllegalStateException.class, s::reset);
            assertThrows(IllegalStateException.class, () -> s.saveState(h));
            assertThrows(IllegalStateException.class, () -> s.restoreState(h));
            gate.release.countDown();
            first.join();
            s.reset();
            // after reset the stream answers like a new one
            try (InferenceModel im = InferenceModel.of(m)) {
                StreamState fresh = im.newStream();
                float[] want = new float[K], got = new float[K];
                for (int t = 0; t < 3; t++) {
                    fresh.step(x, want);
                    s.step(x, got);
                    assertArrayEquals(want, got);
                }
            }
            gate.close();
        }
    }

    /** Two threads hammering one stream: whatever interleaving happened, reset() brings it back. */
    @Test
    void afterAnyRaceResetBringsTheStreamBack() throws Exception {
        try (ElmanRnn m = RandomModels.model(N, D, K, Output.SOFTMAX, 1, 13); InferenceModel im = InferenceModel.of(m)) {
            StreamState s = im.newStream();
            float[] x = RandomModels.uniform(N, 1, 14);
            AtomicLong refused = new AtomicLong(), other = new AtomicLong();
            Runnable hammer = () -> {
                float[] o = new float[K], h = new float[D];
                for (int i = 0; i < 20_000; i++) {
                    try {
                        if (i % 97 == 0) s.reset();
                        else if (i % 31 == 0) s.saveState(h);
                        else s.step(x, o);
                    } catch (IllegalStateException e) {
                        refused.incrementAndGet();
                    } catch (RuntimeException e) {
                        other.incrementAndGet();
                    }
                }
            };
            Thread a = new Thread(hammer), b = new Thread(hammer);
            a.start();
            b.start();
            a.join();
            b.join();
            System.out.println("concurrent calls refused: " + refused.get() + " of 40000");
            assertTrue(other.get() == 0, other.get() + " calls failed with something other than IllegalStateException");
            s.reset();
            StreamState fresh = im.newStream();
            float[] want = new float[K], got = new float[K];
            for (int t = 0; t < 5; t++) {
                fresh.step(x, want);
                s.step(x, got);
                assertArrayEquals(want, got);
            }
        }
    }
}
