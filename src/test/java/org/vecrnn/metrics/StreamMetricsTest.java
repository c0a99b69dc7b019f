package org.vecrnn.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.vecrnn.RandomModels;
import org.vecrnn.infer.InferenceModel;
import org.vecrnn.infer.NonFiniteStateException;
import org.vecrnn.infer.StreamState;
import org.vecrnn.model.ElmanRnn;
import org.vecrnn.model.Output;
import org.vecrnn.model.Parameters;

/** The Micrometer binder on a SimpleMeterRegistry: steps timed, live streams, refusals by reason, per model. */
class StreamMetricsTest {
    static final int N = 3, D = 17, K = 2;

    @Test
    void stepsAreTimedStreamsCountedAndRefusalsCountedByReason() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (ElmanRnn m = RandomModels.model(new SplittableRandom(3), N, D, K, Output.SOFTMAX, 1); InferenceModel im = InferenceModel.of(m)) {
            StreamMetrics metrics = new StreamMetrics(im, "digits");
            metrics.bindTo(registry);
            StreamMetrics.MeteredStream a = metrics.newStream(), b = metrics.newStream(), c = metrics.newStream();
            assertEquals(3, registry.get("vecrnn.streams.live").tag("model", "digits").gauge().value());
            c.close();
            c.close();
            assertEquals(2, registry.get("vecrnn.streams.live").gauge().value(), "closing twice counts once");

            StreamState plain = im.newStream();
            float[] o = new float[K], want = new float[K];
            SplittableRandom r = new SplittableRandom(4);
            for (int t = 0; t < 10; t++) {
                float[] x = RandomModels.uniform(r, N, 1);
                a.step(x, o);
                plain.step(x, want);
                assertArrayEquals(want, o, "the metered stream gives the stream's outputs");
            }
            var timer = registry.get("vecrnn.step").tag("model", "digits").timer();
            assertEquals(10, timer.count());
            assertTrue(timer.totalTime(TimeUnit.NANOSECONDS) > 0);

            assertThrows(IllegalArgumentException.class, () -> b.step(new float[] {0, Float.NaN, 0}, o));
            assertThrows(IllegalArgumentException.class, () -> b.step(new float[N + 1], o));
            assertEquals(2, registry.get("vecrnn.inputs.refused").tags("model", "digits", "reason", "invalid").functionCounter().count());
            assertEquals(0, registry.get("vecrnn.inputs.refused").tags("model", "digits", "reason", "non-finite-state").functionCounter().count());
            assertEquals(10, timer.count(), "refused steps are not timed");
            a.close();
            b.close();
            assertEquals(0, registry.get("vecrnn.streams.live").gauge().value());
        }
    }

    /** h = tanh(10) = 1 and V = [3e38, 3e38]: the output overflows, the step is refused and counted. */
    @Test
    void aStepThatWouldOverflowIsCountedAsNonFinite() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        float[] U = new float[4], W = new float[4], a = {10, 10}, V = {3e38f, 3e38f}, bias = {0};
        try (ElmanRnn m = ElmanRnn.of(2, 2, 1, Output.IDENTITY, new Parameters(U, W, a, V, bias)); InferenceModel im = InferenceModel.of(m)) {
            StreamMetrics metrics = new StreamMetrics(im, "overflow");
            metrics.bindTo(registry);
            try (StreamMetrics.MeteredStream s = metrics.newStream()) {
                assertThrows(NonFiniteStateException.class, () -> s.step(new float[] {0.001f, 0.001f}, new float[1]));
            }
            assertEquals(1, registry.get("vecrnn.inputs.refused").tags("model", "overflow", "reason", "non-finite-state").functionCounter().count());
        }
    }

    /** Two models in one registry keep their own meters; a registry bound later sees the meters too. */
    @Test
    void eachModelHasItsOwnMetersInEveryRegistry() {
        SimpleMeterRegistry early = new SimpleMeterRegistry(), late = new SimpleMeterRegistry();
        try (ElmanRnn m = RandomModels.model(new SplittableRandom(5), N, D, K, Output.SOFTMAX, 1); InferenceModel im = InferenceModel.of(m)) {
            StreamMetrics one = new StreamMetrics(im, "one"), two = new StreamMetrics(im, "two");
            one.bindTo(early);
            two.bindTo(early);
            StreamMetrics.MeteredStream s = one.newStream();
            s.step(new float[N], new float[K]);
            one.bindTo(late);
            s.step(new float[N], new float[K]);
            assertEquals(2, early.get("vecrnn.step").tag("model", "one").timer().count());
            assertEquals(0, early.get("vecrnn.step").tag("model", "two").timer().count());
            assertEquals(1, late.get("vecrnn.step").tag("model", "one").timer().count(), "a registry counts from when it was bound");
            assertEquals(1, late.get("vecrnn.streams.live").tag("model", "one").gauge().value());
            s.close();
        }
    }
}
