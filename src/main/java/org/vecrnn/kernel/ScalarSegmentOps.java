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
    public void columnSums(MemorySegment src, long off, int rows, int cols, MemorySegment dst, long dstOff) {
        for (int j = 0; j < cols; j++) {
            float s = 0;
            for (int r = 0; r < rows; r++) s += src.getAtIndex(F, off + (long) r * cols + j);
            dst.setAtIndex(F, dstOff + j, s);
        }
    }

    @Override
    public String describe() {
        return "scalar";
    }
}
