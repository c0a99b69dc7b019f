package org.vecrnn.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * {@code vecrnn bench}'s warm-up calls a workload steady only after its kernels ran often enough for C2: a
 * workload whose blocks agree from the start (as C1 code's do, for seconds) is still run for the minimum number
 * of calls.
 */
class BenchWarmUpTest {
    @Test
    void steadyBlocksStillRunTheMinimumCalls() {
        AtomicLong calls = new AtomicLong();
        // 1 ms a call, as steady as can be: without the minimum, the warm-up ends after its first second (about
        // 1,000 calls)
        long minCalls = 1_500;
        ServeBench.warm(n -> {
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                long until = System.nanoTime() + 1_000_000L;
                while (System.nanoTime() < until) Thread.onSpinWait();
            }
            calls.addAndGet(n);
            return System.nanoTime() - t0;
        }, minCalls);
        assertTrue(calls.get() >= minCalls, "the warm-up ended after " + calls.get() + " calls, before " + minCalls);
    }
}
