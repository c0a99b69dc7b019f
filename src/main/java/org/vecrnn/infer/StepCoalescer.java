package org.vecrnn.infer;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Groups the steps of many threads, each stepping its own stream (a service with one thread per request),
 * into {@link StreamGroup} calls: one pass over the weights for all the calls that arrive within a short
 * window.
 *
 * <p>The first caller that finds no group forming starts one and leads it; callers that arrive while it forms
 * join it and wait. The leader runs the group, on its own thread, as soon as any of these holds:
 * <ul>
 * <li>no other group is running: a lone caller, or the first after a quiet spell, does not wait at all;</li>
 * <li>the group is full ({@code maxGroup} streams);</li>
 * <li>the window has passed since the leader arrived. So no call waits longer than the window before its
 *     group starts; while it waits, the group before it is using the core.</li>
 * </ul>
 * The leader waits by spinning with {@link Thread#yield()} (a timed park would oversleep a window of tens of
 * microseconds by the kernel's timer slack); the others spin for up to 20 µs (about a parked thread's wake-up
 * latency), then park until their group is done. A group of one is the plain single step. Results, and
 * exceptions, are each call's own: a call whose step fails (see {@link StreamState#step}) throws in its own
 * thread and leaves its stream unchanged, and the other calls in its group step. Each result is the same, bit
 * for bit, as {@link StreamState#step} alone. After the first calls on each thread, a step allocates nothing.
 */
public final class StepCoalescer {
    /** 50 µs: about the time of a few single steps at d = 256, and far below a service's latency goal. */
    public static final Duration DEFAULT_WINDOW = Duration.ofNanos(50_000);
    /** The most streams one pass over the weights steps together, unless told otherwise. */
    public static final int DEFAULT_MAX_GROUP = 64;

    /** How long a joined call spins before it parks: about the wake-up latency of a parked thread. */
    private static final long SPIN_NANOS = 20_000;

    private final InferenceModel model;
    private final long windowNanos;
    private final int maxGroup, n, k;
    private final ReentrantLock lock = new ReentrantLock();
    /** The group that callers join, or null; guarded by lock. */
    private Batch forming;
    /** Groups started and not yet done; written under lock, read by waiting leaders. */
    private volatile int running;
    /** Groups done and ready for reuse (with their arrays); guarded by lock. */
    private final ArrayDeque<Batch> spare = new ArrayDeque<>();
    private final ThreadLocal<Request> requests = ThreadLocal.withInitial(Request::new);
    private final LongAdder groups = new LongAdder(), steps = new LongAdder();

    /** One thread's call: done when its group has run, with its error if its step failed. */
    private static final class Request {
        final Thread thread = Thread.currentThread();
        volatile boolean done;
        RuntimeException error;
    }

    /** A group being formed or run; its arrays are reused by later groups. */
    private final class Batch {
        final StreamGroup group = model.newGroup(maxGroup);
        final StreamState[] streams = new StreamState[maxGroup];
        final float[][] xs = new float[maxGroup][], outs = new float[maxGroup][];
        final Request[] requests = new Request[maxGroup];
        final RuntimeException[] errors = new RuntimeException[maxGroup];
        /** Calls joined so far; written under lock. */
        volatile int m;
    }

    /**
     * The default window ({@value #DEFAULT_MAX_GROUP} streams at most, 50 µs).
     *
     * @param model the model whose streams are stepped; it must outlive this
     */
    public StepCoalescer(InferenceModel model) {
        this(model, DEFAULT_WINDOW, DEFAULT_MAX_GROUP);
    }

    /**
     * A coalescer with its own window and group size.
     *
     * @param model the model whose streams are stepped; it must outlive this
     * @param window the longest a call waits for others before its group runs (0 to 10 ms; zero: a group is
     *               whatever arrived while the previous one ran)
     * @param maxGroup the most streams in one group (1 to 4096)
     * @throws IllegalArgumentException when the model is null or the window or group size is out of range
     */
    public StepCoalescer(InferenceModel model, Duration window, int maxGroup) {
        if (model == null) throw new IllegalArgumentException("model is null");
        if (window == null || window.isNegative() || window.compareTo(Duration.ofMillis(10)) > 0)
            throw new IllegalArgumentException("the window must be between 0 and 10 ms, not " + window);
        if (maxGroup < 1 || maxGroup > 4096) throw new IllegalArgumentException("a group holds 1 to 4096 streams, not " + maxGroup);
        this.model = model;
        this.windowNanos = window.toNanos();
        this.maxGroup = maxGroup;
        this.n = model.n();
        this.k = model.k();
    }

    /**
     * One step of the caller's stream, as {@link StreamState#step}, run in a group with the calls of other
     * threads that arrive within the window. The stream must not be stepped by another thread at the same time.
     *
     * @param stream a stream of this coalescer's model
     * @param x the input x_t [n], all finite
     * @param out receives o_t [k]
     * @throws IllegalArgumentException for a stream of another model, a wrong size or a non-finite input
     * @throws NonFiniteStateException when the step would make a non-finite state (the stream is unchanged)
     */
    public void step(StreamState stream, float[] x, float[] out) {
        // the call's own arguments are checked here, in its thread: a bad call never joins a group
        if (stream == null) throw new IllegalArgumentException("stream is null");
        if (stream.kernel() != model.stepKernel()) throw new IllegalArgumentException("the stream belongs to another model");
        Steps.checkInput(x, n, "");
        if (out == null || out.length < k) throw new IllegalArgumentException("out has room for " + (out == null ? 0 : out.length) + " values, the model gives k=" + k);
        Request r = requests.get();
        r.done = false;
        r.error = null;
        Batch b;
        boolean leader;
        lock.lock();
        try {
            b = forming;
            leader = b == null;
            if (leader) {
                b = spare.poll();
                if (b == null) b = new Batch();
                forming = b;
            }
            int i = b.m;
            b.streams[i] = stream;
            b.xs[i] = x;
            b.outs[i] = out;
            b.requests[i] = r;
            b.m = i + 1;
            if (i + 1 == maxGroup) forming = null;
        } finally {
            lock.unlock();
        }
        if (leader) lead(b);
        else awaitGroup(r);
        RuntimeException e = r.error;
        r.error = null;
        if (e != null) throw e;
    }

    /**
     * A joined call waits for its group: spinning first (a group of small steps is done in a few microseconds,
     * sooner than a parked thread is woken), yielding the core to the leader, then parked.
     */
    private void awaitGroup(Request r) {
        long spinUntil = System.nanoTime() + SPIN_NANOS;
        while (!r.done && System.nanoTime() - spinUntil < 0) {
            Thread.onSpinWait();
            Thread.yield();
        }
        while (!r.done) LockSupport.park(this);
    }

    private void lead(Batch b) {
        long deadline = System.nanoTime() + windowNanos;
        while (running > 0 && b.m < maxGroup && System.nanoTime() - deadline < 0) {
            Thread.onSpinWait();
            Thread.yield();
        }
        int m;
        lock.lock();
        try {
            if (forming == b) forming = null;
            m = b.m;
            running++;
        } finally {
            lock.unlock();
        }
        try {
            if (m == 1) stepAlone(b, 0); // nobody joined: the single step, without the group's bookkeeping
            else b.group.step(b.streams, b.xs, b.outs, m, b.errors);
        } catch (RuntimeException e) {
            // refused as a whole (a stream in use elsewhere, or passed by two threads at once): each call alone,
            // so each gets its own result or exception
            for (int i = 0; i < m; i++) stepAlone(b, i);
        }
        groups.increment();
        steps.add(m);
        for (int i = m - 1; i >= 0; i--) {
            Request q = b.requests[i];
            q.error = b.errors[i];
            b.errors[i] = null;
            b.requests[i] = null;
            b.streams[i] = null;
            b.xs[i] = null;
            b.outs[i] = null;
            q.done = true;
            if (i > 0) LockSupport.unpark(q.thread);
        }
        lock.lock();
        try {
            b.m = 0;
            spare.push(b);
            running--;
        } finally {
            lock.unlock();
        }
    }

    /** Call i of the group as a single step, its exception kept for its caller. */
    private static void stepAlone(Batch b, int i) {
        try {
            b.streams[i].step(b.xs[i], b.outs[i]);
            b.errors[i] = null;
        } catch (RuntimeException e) {
            b.errors[i] = e;
        }
    }

    /** {@return the groups run so far} */
    public long groupsRun() {
        return groups.sum();
    }

    /**
     * {@return the steps run so far (the calls that reached a group); with {@link #groupsRun()}, the mean group size}
     */
    public long stepsRun() {
        return steps.sum();
    }
}
