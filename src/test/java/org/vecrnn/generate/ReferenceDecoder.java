package org.vecrnn.generate;

import org.vecrnn.train.ReferenceBptt;

/** A {@link Decoder} over the reference forward pass, one step at a time (for tests). */
final class ReferenceDecoder implements Decoder {
    private final ReferenceBptt ref;
    private float[] h;

    ReferenceDecoder(ReferenceBptt ref) {
        this.ref = ref;
        this.h = new float[ref.d];
    }

    @Override public int inputSize() { return ref.n; }
    @Override public int outputSize() { return ref.k; }
    @Override public int stateSize() { return ref.d; }

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
