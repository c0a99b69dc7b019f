package org.vecrnn.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** What the native yardsticks share: their buffers (64-byte aligned, freed on close) and the freeing order. */
abstract class NativeYardstick implements AutoCloseable {
    final Arena arena = Arena.ofShared();

    MemorySegment floats(float[] v) {
        MemorySegment s = arena.allocate(4L * Math.max(1, v.length), 64);
        MemorySegment.copy(v, 0, s, ValueLayout.JAVA_FLOAT, 0, v.length);
        return s;
    }

    MemorySegment zeros(long count) {
        return arena.allocate(4L * Math.max(1, count), 64);
    }

    /** Frees the native model (its own memory) before the buffers go. */
    abstract void free();

    @Override
    public void close() {
        free();
        arena.close();
    }
}
