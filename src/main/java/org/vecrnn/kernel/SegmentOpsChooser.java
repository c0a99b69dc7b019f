package org.vecrnn.kernel;

/** Picks {@link SegmentOps} once and logs one line. */
final class SegmentOpsChooser {
    static final SegmentOps CHOSEN = choose();
    /** Floats through tanh below which a run takes the heap-array ops (see {@link SegmentOps#forWork}). */
    static final long SHORT_RUN = 1_000_000_000L;
    private static final SegmentOps SHORT = new ArraySegmentOps();

    private SegmentOpsChooser() {}

    static SegmentOps forWork(long elements) {
        if (!System.getProperty(SegmentOps.PROPERTY, "").isEmpty() || elements >= SHORT_RUN) return CHOSEN;
        return SHORT;
    }

    private static SegmentOps choose() {
        String forced = System.getProperty(SegmentOps.PROPERTY, "");
        SegmentOps ops;
        String why;
        if (forced.equals("scalar")) {
            ops = new ScalarSegmentOps();
            why = "forced by -D" + SegmentOps.PROPERTY;
        } else {
            try {
                ops = new VectorSegmentOps();
                why = forced.isEmpty() ? "Vector API present" : "forced by -D" + SegmentOps.PROPERTY;
            } catch (LinkageError e) {
                if (forced.equals("vector")) throw new IllegalStateException("-D" + SegmentOps.PROPERTY + "=vector but " + e, e);
                ops = new ScalarSegmentOps();
                why = "no jdk.incubator.vector (run with --add-modules jdk.incubator.vector)";
            }
        }
        System.getLogger(SegmentOps.class.getName()).log(System.Logger.Level.DEBUG, "vecrnn segment ops: " + ops.describe() + " (" + why + ")");
        return ops;
    }
}
