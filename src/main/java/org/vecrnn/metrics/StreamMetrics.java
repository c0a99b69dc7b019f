package org.vecrnn.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.vecrnn.infer.InferenceModel;
import org.vecrnn.infer.NonFiniteStateException;
import org.vecrnn.infer.StreamState;

/**
 * Micrometer metrics of one model's streams, bound to any number of registries ({@link MeterBinder}):
 * <ul>
 * <li>{@code vecrnn.step} (timer): the latency of each {@link MeteredStream#step} that gave an output;</li>
 * <li>{@code vecrnn.streams.live} (gauge): streams opened with {@link #newStream} and not yet closed;</li>
 * <li>{@code vecrnn.inputs.refused} (counter), tag {@code reason}: {@code invalid} (wrong length, NaN or
 *     infinity in x) or {@code non-finite-state} (a step that would make the state or output non-finite,
 *     {@link NonFiniteStateException}).</li>
 * </ul>
 * Every meter carries the tag {@code model} with the name given here. Micrometer (io.micrometer:micrometer-core)
 * is an optional dependency of vecrnn: a service that uses this class has it already. Thread-safe; each
 * stream, like a {@link StreamState}, has one user at a time.
 */
public final class StreamMetrics implements MeterBinder {
    private final InferenceModel model;
    private final String name;
    /** Meters made once and forwarded to every registry bound later. */
    private final CompositeMeterRegistry registries = new CompositeMeterRegistry();
    private final Timer step;
    private final AtomicLong live = new AtomicLong();
    private final LongAdder invalid = new LongAdder(), nonFinite = new LongAdder();

    /**
     * The meters of one model's streams, registered with {@link #bindTo}.
     *
     * @param model the model whose streams are measured
     * @param name the value of the {@code model} tag on every meter
     * @throws IllegalArgumentException when the model is null or the name blank
     */
    public StreamMetrics(InferenceModel model, String name) {
        if (model == null || name == null || name.isBlank()) throw new IllegalArgumentException("a model and a non-blank name are needed");
        this.model = model;
        this.name = name;
        this.step = Timer.builder("vecrnn.step").description("latency of one stream step").tag("model", name).register(registries);
        Gauge.builder("vecrnn.streams.live", live, AtomicLong::get).description("streams open on the model").tag("model", name)
                .register(registries);
        FunctionCounter.builder("vecrnn.inputs.refused", invalid, LongAdder::sum).description("steps refused")
                .tags("model", name, "reason", "invalid").register(registries);
        FunctionCounter.builder("vecrnn.inputs.refused", nonFinite, LongAdder::sum).description("steps refused")
                .tags("model", name, "reason", "non-finite-state").register(registries);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        registries.add(registry);
    }

    /** {@return the model's name in the tags} */
    public String name() {
        return name;
    }

    /** {@return a new stream of the model, counted as live until it is closed} */
    public MeteredStream newStream() {
        MeteredStream s = new MeteredStream(model.newStream());
        live.incrementAndGet();
        return s;
    }

    /**
     * A {@link StreamState} whose steps are timed and whose refusals are counted; {@link #close} ends it.
     * What it does otherwise, and what it throws, is exactly the stream's.
     */
    public final class MeteredStream implements AutoCloseable {
        private final StreamState stream;
        private boolean closed;

        private MeteredStream(StreamState stream) {
            this.stream = stream;
        }

        /**
         * {@return the stream itself, e.g. for a {@link org.vecrnn.infer.StreamGroup} (steps there are not timed
         * here)}
         */
        public StreamState stream() {
            return stream;
        }

        /**
         * {@link StreamState#step}, timed, or counted as refused when it throws.
         *
         * @param x the input x_t [n]
         * @param out receives o_t [k]
         * @throws IllegalArgumentException for a wrong size or a non-finite input (counted as {@code invalid})
         * @throws NonFiniteStateException when the step would make a non-finite state (counted as {@code non-finite-state})
         */
        public void step(float[] x, float[] out) {
            long t0 = System.nanoTime();
            try {
                stream.step(x, out);
            } catch (NonFiniteStateException e) {
                nonFinite.increment();
                throw e;
            } catch (IllegalArgumentException e) {
                invalid.increment();
                throw e;
            }
            step.record(System.nanoTime() - t0, java.util.concurrent.TimeUnit.NANOSECONDS);
        }

        /** {@link StreamState#reset}: h = 0, a new sequence. */
        public void reset() {
            stream.reset();
        }

        /**
         * {@link StreamState#saveState}.
         *
         * @param dst receives {@link InferenceModel#stateSize()} values
         */
        public void saveState(float[] dst) {
            stream.saveState(dst);
        }

        /**
         * {@link StreamState#restoreState}.
         *
         * @param src {@link InferenceModel#stateSize()} values, as {@link #saveState} wrote them
         */
        public void restoreState(float[] src) {
            stream.restoreState(src);
        }

        /** No longer counted as live; closing twice counts once. */
        @Override
        public void close() {
            if (!closed) {
                closed = true;
                live.decrementAndGet();
            }
        }
    }
}
