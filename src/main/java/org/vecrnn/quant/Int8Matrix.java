package org.vecrnn.quant;

import java.lang.foreign.MemorySegment;

/**
 * A read-only native view of one int8 matrix of a {@link QuantizedRnn}: {@code q} holds rows × cols bytes
 * row-major, {@code scales} rows × scalesPerRow floats; both start on a 64-byte boundary. Valid while the
 * model is open (afterwards every access fails with IllegalStateException, never reads freed memory).
 *
 * @param rows the rows (outputs) of the matrix
 * @param cols the columns (inputs)
 * @param scheme how the scales are laid out
 * @param q rows × cols int8 values
 * @param scales rows × {@link #scalesPerRow()} floats
 */
public record Int8Matrix(int rows, int cols, Int8Scheme scheme, MemorySegment q, MemorySegment scales) {

    /** {@return the scales of each row: 1, or one per block of 32 columns} */
    public int scalesPerRow() {
        return scheme.scalesPerRow(cols);
    }

    /** {@return the weights that share one scale (cols for the row scheme)} */
    public int blockLength() {
        return scheme.blockLength(cols);
    }

    /** {@return the bytes of the values and their scales} */
    public long bytes() {
        return q.byteSize() + scales.byteSize();
    }
}
