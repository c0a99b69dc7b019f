package org.vecrnn.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.vecrnn.RandomModels;
import org.vecrnn.model.ElmanRnn;
import org.vecrnn.model.Output;

/**
 * 8 threads, each driving 2 streams of its own over one shared model for 10^5 steps per thread (with
 * resets and save/restore moves of a stream to a fresh state object), give exactly the outputs of the same
 * streams run one after another on one thread. The model is small (n=19, d=65, k=3) to keep the test quick.
 */
class SharedModelThreadsTest {
    static final int THREADS = 8, STREAMS = 2, STEPS = 100_000 / STREAMS;
    static final int N = 19, D = 65, K = 3;

    @Test
    void eightThreadsGiveTheSequentialOutputs() throws Exception {
        try (ElmanRnn m = RandomModels.model(N, D, K, Output.SOFTMAX, 1.5, 99); InferenceModel im = InferenceModel.of(m);
             ExecutorService pool = Executors.newFixedThreadPool(THREADS)) {
            float[][] inputs = new float[257][];
            for (int i = 0; i < inputs.length; i++) inputs[i] = RandomModels.uniform(N, 2, 1000 + i);

            float[][] sequential = new float[THREADS * STREAMS][];
            for (int s = 0; s < THREADS * STREAMS; s++) sequential[s] = drive(im, s, inputs);

            CyclicBarrier start = new CyclicBarrier(THREADS);
            List<Future<float[][]>> futures = new ArrayList<>();
            for (int th = 0; th < THREADS; th++) {
                int first = th * STREAMS;
                futures.add(pool.submit(() -> {
                    start.await();
                    float[][] out = new float[STREAMS][];
                    for (int s = 0; s < STREAMS; s++) out[s] = drive(im, first + s, inputs);
                    return out;
                }));
            }
            for (int th = 0; th < THREADS; th++) {
                float[][] got = futures.get(th).get();
                for (int s = 0; s < STREAMS; s++)
                    assertArrayEquals(sequential[th * STREAMS + s], got[s], "thread " + th + " stream " + s);
            }
        }
    }

    /** One stream: STEPS steps, all outputs kept; a reset every 9973 steps and a move every 1000. */
    private static float[] drive(InferenceModel im, int id, float[][] inputs) {
        float[] outs = new float[STEPS * K], o = new float[K], saved = new float[D];
        StreamState s = im.newStream();
        for (int t = 0; t < STEPS; t++) {
            if (t % 9973 == 9972) s.reset();
            if (t % 1000 == 999) {
                s.saveState(saved);
                s = im.newStream();
                s.restoreState(saved);
            }
            s.step(inputs[(t * 31 + id * 7) % inputs.length], o);
            System.arraycopy(o, 0, outs, t * K, K);
        }
        return outs;
    }
}
