package org.vecrnn.generate;

import org.vecrnn.train.ReferenceBptt;

/** A {@link Decoder} over the reference forward pass, one step at a time (for tests). */
public final class ReferenceDecoder implements Decoder {
    private final ReferenceBptt ref;
    private float[] h;

    public ReferenceDecoder(ReferenceBptt ref) {
        this.ref = ref;
        this.h = new float[ref.d];
    }

    @Override public int n() { return ref.n; }
    @Override public int k() { return ref.k; }
    @Override public int d() { return ref.d; }

    @Override
    public void step(float[] x, float[] out) {
        ReferenceBptt.Forward f = ref.forward(x, 1, 1, h);
        h = ReferenceBptt.narrow(f.h());
        float[] o = ReferenceBptt.narrow(f.o());
        System.arraycopy(o, 0, out, 0, ref.k);
    }

    @Override public void saveState(float[] into) { System.arraycopy(h, 0, into, 0, h.length); }
    @Override public void restoreState(float[] from) { h = from.clone(); }
}
