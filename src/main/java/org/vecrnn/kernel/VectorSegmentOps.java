package org.vecrnn.kernel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link SegmentOps} with the Vector API. tanh is the rational {@link Tanh} on whole vectors (the same
 * operations in the same order as the scalar one, so the same bits): at B=64, T=50, d=256 the 819,200 tanh
 * of one forward pass would cost more than the GEMMs around them as a scalar loop.
 */
final class VectorSegmentOps implements SegmentOps {
    private static final VectorSpecies<Float> S = VectorWidth.FLOATS; // -Dvecrnn.vectorBits applies here too
    private static final int L = S.length();
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final FloatVector ONE = FloatVector.broadcast(S, 1f);

    @Override
    public void tanh(MemorySegment s, long off, long count) {
        long i = 0;
        for (; i + L <= count; i += L) {
            long at = (off + i) * Float.BYTES;
            tanh(FloatVector.fromMemorySegment(S, s, at, NATIVE)).intoMemorySegment(s, at, NATIVE);
        }
        for (; i < count; i++) s.setAtIndex(F, off + i, Tanh.tanh(s.getAtIndex(F, off + i)));
    }

    private static FloatVector tanh(FloatVector x) {
        FloatVector c = x.max(-Tanh.CLAMP).min(Tanh.CLAMP);
        FloatVector x2 = c.mul(c);
        FloatVector p = x2.fma(Tanh.A13, Tanh.A11);
        p = p.fma(x2, FloatVector.broadcast(S, Tanh.A9));
        p = p.fma(x2, FloatVector.broadcast(S, Tanh.A7));
        p = p.fma(x2, FloatVector.broadcast(S, Tanh.A5));
        p = p.fma(x2, FloatVector.broadcast(S, Tanh.A3));
        p = p.fma(x2, FloatVector.broadcast(S, Tanh.A1));
        FloatVector q = x2.fma(Tanh.B6, Tanh.B4);
        q = q.fma(x2, FloatVector.broadcast(S, Tanh.B2));
        q = q.fma(x2, FloatVector.broadcast(S, Tanh.B0));
        return p.div(q).mul(c);
    }

    @Override
    public void tanhBackward(MemorySegment g, long gOff, MemorySegment h, long hOff, long count) {
        long i = 0;
        for (; i + L <= count; i += L) {
            long ga = (gOff + i) * Float.BYTES;
            FloatVector hv = FloatVector.fromMemorySegment(S, h, (hOff + i) * Float.BYTES, NATIVE);
            FloatVector gv = FloatVector.fromMemorySegment(S, g, ga, NATIVE);
            gv.mul(hv.fma(hv.neg(), ONE)).intoMemorySegment(g, ga, NATIVE);
        }
        for (; i < count; i++) {
            float hv = h.getAtIndex(F, hOff + i);
            g.setAtIndex(F, gOff + i, g.getAtIndex(F, gOff + i) * Math.fma(hv, -hv, 1f));
        }
    }

    @Override
    public void relu(MemorySegment s, long off, long count) {
        long i = 0;
        for (; i + L <= count; i += L) {
            long at = (off + i) * Float.BYTES;
            FloatVector.fromMemorySegment(S, s, at, NATIVE).max(0f).intoMemorySegment(s, at, NATIVE);
        }
        for (; i < count; i++) s.setAtIndex(F, off + i, Math.max(s.getAtIndex(F, off + i), 0f));
    }

    @Override
    public void reluBackward(MemorySegment g, long gOff, MemorySegment h, long hOff, long count) {
        long i = 0;
        for (; i + L <= count; i += L) {
            long ga = (gOff + i) * Float.BYTES;
            FloatVector hv = FloatVector.fromMemorySegment(S, h, (hOff + i) * Float.BYTES, NATIVE);
            FloatVector gv = FloatVector.fromMemorySegment(S, g, ga, NATIVE);
            gv.blend(0f, hv.compare(VectorOperators.GT, 0f).not()).intoMemorySegment(g, ga, NATIVE);
        }
        for (; i < count; i++)
            if (!(h.getAtIndex(F, hOff + i) > 0)) g.setAtIndex(F, gOff + i, 0f);
    }

    @Override
    public String describe() {
        return "Vector API " + S.vectorBitSize() + "-bit";
    }
}
