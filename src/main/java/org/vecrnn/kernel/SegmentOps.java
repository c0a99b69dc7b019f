package org.vecrnn.kernel;

import java.lang.foreign.MemorySegment;

/**
 * Element-wise work on off-heap float blocks that sits between the GEMMs of batched training: the hidden
 * nonlinearity (tanh or relu) in place and its backward. Offsets and counts are in floats; bounds are checked by the segment accesses
 * themselves. Chosen once by {@link #get()}: the Vector API version when the module is
 * present, the scalar one otherwise, forcible with {@code -Dvecrnn.segmentops=scalar|vector}.
 */
public interface SegmentOps {
    String PROPERTY = "vecrnn.segmentops";

    /** s[i] = tanh(s[i]) for count floats from off. */
    void tanh(MemorySegment s, long off, long count);

    /** g[i] *= 1 - h[i]² (the derivative of tanh, given its output h). */
    void tanhBackward(MemorySegment g, long gOff, MemorySegment h, long hOff, long count);

    /** s[i] = max(s[i], 0) for count floats from off (NaN stays NaN, as {@code Math.max} keeps it). */
    void relu(MemorySegment s, long off, long count);

    /** g[i] = h[i] > 0 ? g[i] : 0 (the derivative of relu, given its output h; relu'(0) = 0 as in PyTorch). */
    void reluBackward(MemorySegment g, long gOff, MemorySegment h, long hOff, long count);

    String describe();

    static SegmentOps get() {
        return SegmentOpsChooser.CHOSEN;
    }

    /**
     * The ops for a run that will pass about {@code elements} floats through tanh (and as many through its
     * backward) in all. The Vector API is fast only once C2 has compiled it: before that it runs about
     * 0.5-1 s of interpreted vector code (measured: 10,800 tanh + backward calls of 2,048 floats, a digits
     * run, in a fresh JVM: 0.8-1.1 s vector, 0.15-0.19 s {@link ArraySegmentOps}; warm, 1 µs against
     * 1.2 µs per call pair). A run below {@value SegmentOpsChooser#SHORT_RUN} floats therefore takes the
     * heap-array ops, a longer one (chars: about 2.6e9) {@link #get()}. All give the same bits, so the
     * choice never changes a result. {@code -Dvecrnn.segmentops} still forces scalar or vector.
     */
    static SegmentOps forWork(long elements) {
        return SegmentOpsChooser.forWork(elements);
    }
}
