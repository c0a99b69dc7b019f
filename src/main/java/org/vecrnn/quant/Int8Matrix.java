package org.vecrnn.quant;

import java.lang.foreign.MemorySegment;

/**
 * A read-only native view of one int8 matrix of a {@link QuantizedRnn}: {@code q} holds rows × cols bytes
 * row-major, {@code scales} rows × scalesPerRow floats; both start on a 64-byte boundary. Valid while the
 * model is open (afterwards every access fails with IllegalStateException, never reads freed memory).
 */
public record Int8Matrix(int rows, int cols, Int8Scheme scheme, MemorySegment q, MemorySegment scales) {

    public int scalesPerRow() {
        return scheme.scalesPerRow(cols);
    }

    /** Weights sharing one scale (cols for the row scheme). */
    public int blockLength() {
        return scheme.blockLength(cols);
    }

    public long bytes() {
        return q.byteSize() + scales.byteSize();
    }
}
