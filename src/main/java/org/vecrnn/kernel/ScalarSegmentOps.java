package org.vecrnn.kernel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** The reference for {@link VectorSegmentOps}: plain loops, the rational {@link Tanh}. */
final class ScalarSegmentOps implements SegmentOps {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    @Override
    public void tanh(MemorySegment s, long off, long count) {
        for (long i = off; i < off + count; i++) s.setAtIndex(F, i, Tanh.tanh(s.getAtIndex(F, i)));
    }

    @Override
    public void tanhBackward(MemorySegment g, long gOff, MemorySegment h, long hOff, long count) {
        for (long i = 0; i < count; i++) {
            float hv = h.getAtIndex(F, hOff + i);
            g.setAtIndex(F, gOff + i, g.getAtIndex(F, gOff + i) * Math.fma(hv, -hv, 1f));
        }
    }

    @Override
    public void relu(MemorySegment s, long off, long count) {
        for (long i = off; i < off + count; i++) s.setAtIndex(F, i, Math.max(s.getAtIndex(F, i), 0f));
    }

    @Override
    public void reluBackward(MemorySegment g, long gOff, MemorySegment h, long hOff, long count) {
        for (long i = 0; i < count; i++)
            if (!(h.getAtIndex(F, hOff + i) > 0)) g.setAtIndex(F, gOff + i, 0f);
    }

    @Override
    public String describe() {
        return "scalar";
    }
}
