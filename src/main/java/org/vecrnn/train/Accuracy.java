package org.vecrnn.train;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.vecrnn.model.Topology;

/**
 * Counts right answers of a classifier in one batch just run through {@link BatchedBptt}: a target step is
 * right when the most probable output is the target's largest entry (a one-hot class). Target rows of all
 * zeros (no target there) are not counted.
 */
final class Accuracy {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    long right, total;

    void add(Batch b, MemorySegment o) {
        int k = b.k;
        boolean m2o = b.topology == Topology.MANY_TO_ONE;
        for (int t = b.firstTarget(); t < b.T; t++)
            for (int s = 0; s < b.B; s++) {
                long yRow = (m2o ? s : (long) t * b.B + s) * k, oRow = ((long) t * b.B + s) * k;
                int want = argmax(b.y(), yRow, k);
                if (want < 0) continue;
                total++;
                if (argmax(o, oRow, k) == want) right++;
            }
    }

    double value() {
        return total == 0 ? Double.NaN : (double) right / total;
    }

    /** The index of the largest value, or -1 when all are zero. */
    private static int argmax(MemorySegment v, long off, int k) {
        int best = 0;
        boolean any = false;
        for (int i = 0; i < k; i++) {
            float x = v.getAtIndex(F, off + i);
            any |= x != 0;
            if (x > v.getAtIndex(F, off + best)) best = i;
        }
        return any ? best : -1;
    }
}
