package org.vecrnn.train.data;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.vecrnn.train.Batch;
import org.vecrnn.train.BatchedBptt;
import org.vecrnn.train.ParamBuffers;
import org.vecrnn.train.SequenceSet;

/** Accuracy of a many-to-one classifier: argmax of the last step's output against the one-hot target. */
final class Classification {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    private Classification() {}

    static double accuracy(BatchedBptt bptt, ParamBuffers params, SequenceSet set) {
        set.startEpoch(0, 0);
        long right = 0;
        for (int i = 0; i < set.batches(); i++) {
            Batch b = set.batch(i);
            bptt.forward(params, b);
            MemorySegment o = bptt.o();
            for (int s = 0; s < b.B; s++) {
                long row = ((long) (b.T - 1) * b.B + s) * b.k;
                if (argmax(o, row, b.k) == argmax(b.y(), (long) s * b.k, b.k)) right++;
            }
        }
        return (double) right / set.N;
    }

    static int argmax(MemorySegment s, long off, int k) {
        int best = 0;
        for (int i = 1; i < k; i++) if (s.getAtIndex(F, off + i) > s.getAtIndex(F, off + best)) best = i;
        return best;
    }
}
