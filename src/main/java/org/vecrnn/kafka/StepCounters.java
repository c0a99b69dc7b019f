package org.vecrnn.kafka;

import java.util.concurrent.atomic.LongAdder;

/** What the steps of one app did, for progress lines: read from any thread while stream threads add. */
public final class StepCounters {
    final LongAdder steps = new LongAdder(), deadLetters = new LongAdder(), resets = new LongAdder(), freshStarts = new LongAdder();

    /** Counters at zero, for one app's processors to share. */
    public StepCounters() {}

    /** {@return the records stepped (one output each)} */
    public long steps() { return steps.sum(); }
    /** {@return the malformed records sent to the dead-letter topic, or logged and skipped without one} */
    public long deadLetters() { return deadLetters.sum(); }
    /** {@return the tombstones: keys whose state was deleted} */
    public long resets() { return resets.sum(); }
    /** {@return the keys started fresh because their state came from another model (--reset-state-on-model-change)} */
    public long freshStarts() { return freshStarts.sum(); }

    static String shorten(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }
}
