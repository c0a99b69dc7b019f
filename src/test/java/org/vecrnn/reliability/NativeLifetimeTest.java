package org.vecrnn.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import org.vecrnn.NativeMemory;
import org.vecrnn.RandomModels;
import org.vecrnn.infer.InferenceModel;
import org.vecrnn.infer.KernelModels;
import org.vecrnn.infer.StreamState;
import org.vecrnn.kernel.StepKernel;
import org.vecrnn.model.ElmanRnn;
import org.vecrnn.model.Output;
import org.vecrnn.quant.Int8Scheme;
import org.vecrnn.quant.QuantizedRnn;
import org.vecrnn.quant.Quantizer;

/**
 * Lifetimes of native memory: a model or kernel garbage collected without close() has its memory freed,
 * with a warning in the log; close() racing steps on other threads gives IllegalStateException (in the
 * closer or in the steps), never a native fault, and the model ends closed.
 */
class NativeLifetimeTest {
    static final int N = 17, D = 33, K = 5;

    /** Waits (collecting garbage) until {@code done}, at most 30 s. */
    static boolean gcUntil(java.util.function.BooleanSupplier done) throws InterruptedException {
        for (int i = 0; i < 300 && !done.getAsBoolean(); i++) {
            System.gc();
            Thread.sleep(100);
        }
        return done.getAsBoolean();
    }

    @Test
    void modelsThatAreNeverClosedAreFreedWithAWarning() throws Exception {
        ConcurrentLinkedQueue<String> seen = new ConcurrentLinkedQueue<>();
        Logger log = Logger.getLogger(NativeMemory.class.getName());
        Handler h = new Handler() {
            @Override public void publish(LogRecord r) { seen.add(r.getMessage()); }
            @Override public void flush() {}
            @Override public void close() {}
        };
        log.addHandler(h);
        try {
            // a segment of each model outlives its model: it shows whether the memory behind it was freed
            List<MemorySegment> fp32 = new ArrayList<>(), int8 = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                ElmanRnn m = RandomModels.model(N, D, K, Output.SOFTMAX, 1, i);
                fp32.add(m.W());
                QuantizedRnn q = Quantizer.quantize(m, Int8Scheme.DEFAULT);
                int8.add(q.a());
                InferenceModel.of(m).newStream().step(new float[N], new float[K]); // kernels with memory of their own
            }
            assertTrue(gcUntil(() -> fp32.stream().noneMatch(s -> s.scope().isAlive()) && int8.stream().noneMatch(s -> s.scope().isAlive())),
                    "the memory of models that were never closed is still held");
            assertTrue(gcUntil(() -> seen.stream().anyMatch(w -> w.contains("garbage collected without close()"))), "no warning logged: " + seen);
        } finally {
            log.removeHandler(h);
        }
    }

    @Test
    void leakedKernelsAreFreedToo() throws Exception {
        long before = NativeMemory.open();
        for (int i = 0; i < 50; i++) {
            try (ElmanRnn m = RandomModels.model(N, D, K, Output.SOFTMAX, 1, i)) {
                InferenceModel.of(m); // never closed
            }
        }
        assertTrue(NativeMemory.open() > before, "the kernels hold native memory");
        assertTrue(gcUntil(() -> NativeMemory.open() <= before), "still open: " + (NativeMemory.open() - before));
    }

    static List<Function<ElmanRnn, InferenceModel>> families() {
        return List.of(InferenceModel::of, InferenceModel::scalar,
                m -> {
                    QuantizedRnn q = Quantizer.quantize(m, Int8Scheme.DEFAULT);
                    return KernelModels.of(org.vecrnn.kernel.Int8Kernels.owning(q), q.output());
                });
    }

    @ParameterizedTest
    @MethodSource("families")
    void closeRacingStepsIsAnIllegalStateException(Function<ElmanRnn, InferenceModel> make) throws Exception {
        for (int round = 0; round < 20; round++) {
            InferenceModel im;
            try (ElmanRnn m = RandomModels.model(N, D, K, Output.SOFTMAX, 1, 100 + round)) {
                im = make.apply(m);
            }
            AtomicLong steps = new AtomicLong(), refused = new AtomicLong();
            ConcurrentLinkedQueue<Throwable> other = new ConcurrentLinkedQueue<>();
            CountDownLatch running = new CountDownLatch(2);
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                Thread th = new Thread(() -> {
                    float[] x = RandomModels.uniform(N, 1, 7), o = new float[K];
                    StreamState s;
                    try {
                        s = im.newStream();
                    } catch (Throwable e) {
                        other.add(e);
                        return;
                    } finally {
                        running.countDown();
                    }
                    while (true) {
                        try {
                            s.step(x, o);
                            steps.incrementAndGet();
                        } catch (IllegalStateException e) {
                            refused.incrementAndGet();
                            return;
                        } catch (Throwable e) {
                            other.add(e);
                            return;
                        }
                    }
                });
                threads.add(th);
                th.start();
            }
            running.await();
            Thread.sleep(round % 5);
            boolean closed = false;
            while (!closed) {
                try {
                    im.close();
                    closed = true;
                } catch (IllegalStateException e) {
                    Thread.onSpinWait(); // a step held the memory: the close is refused, try again
                }
            }
            for (Thread th : threads) th.join(30_000);
            for (Thread th : threads) assertFalse(th.isAlive(), "a step went on after close");
            assertEquals(List.of(), List.copyOf(other), "only IllegalStateException may come out of a step racing close");
            assertEquals(2, refused.get(), "both threads were stopped by the close");
            StepKernel k = KernelModels.stepKernel(im);
            assertThrows(IllegalStateException.class, () -> k.step(new float[D], new float[N], new float[D]));
        }
    }
}
