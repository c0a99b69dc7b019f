package org.vecrnn.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import org.vecrnn.infer.InferenceModel;
import org.vecrnn.infer.StreamState;

/** What the native yardsticks share: their buffers (64-byte aligned, freed on close) and the freeing order. */
abstract class NativeYardstick implements AutoCloseable {
    final Arena arena = Arena.ofShared();

    MemorySegment floats(float[] v) {
        MemorySegment s = arena.allocate(4L * Math.max(1, v.length), 64);
        MemorySegment.copy(v, 0, s, ValueLayout.JAVA_FLOAT, 0, v.length);
        return s;
    }

    MemorySegment bytes(byte[] v) {
        MemorySegment s = arena.allocate(Math.max(1, v.length), 64);
        MemorySegment.copy(v, 0, s, ValueLayout.JAVA_BYTE, 0, v.length);
        return s;
    }

    MemorySegment zeros(long count) {
        return arena.allocate(4L * Math.max(1, count), 64);
    }

    /** One native stream step: h and x in, h' and o out. */
    interface Step {
        void run(MemorySegment h, MemorySegment x, MemorySegment hNext, MemorySegment o) throws Throwable;
    }

    /**
     * The largest difference in any h or o between {@code step} and the reference {@code ref} (a scalar
     * kernel), over the inputs {@code xs} from h = 0 (NaN when either gives NaN).
     */
    double streamDiff(InferenceModel ref, float[][] xs, Step step) throws Throwable {
        StreamState st = ref.newStream();
        float[] h = new float[ref.d()], o = new float[ref.k()];
        MemorySegment nh = zeros(ref.d()), nhNext = zeros(ref.d()), no = zeros(ref.k());
        double worst = 0;
        for (float[] x : xs) {
            step.run(nh, floats(x), nhNext, no);
            st.step(x, o);
            st.saveState(h);
            double e = Math.max(maxDiff(h, nhNext), maxDiff(o, no));
            if (!(e <= worst)) worst = e;  // NaN sticks
            MemorySegment t = nh;
            nh = nhNext;
            nhNext = t;
        }
        return worst;
    }

    /** The largest |want[i] - got[i]| (NaN when any is NaN). */
    static double maxDiff(float[] want, MemorySegment got) {
        double m = 0;
        for (int i = 0; i < want.length; i++) {
            double e = Math.abs(want[i] - got.getAtIndex(ValueLayout.JAVA_FLOAT, i));
            if (!(e <= m)) m = e;  // NaN sticks
        }
        return m;
    }

    /** Frees the native model (its own memory) before the buffers go. */
    abstract void free();

    /** free() for a library whose free function takes the model: one downcall. */
    static void free(MethodHandle free, MemorySegment model) {
        try {
            free.invokeExact(model);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    public void close() {
        free();
        arena.close();
    }
}
