package org.vecrnn.quant;

/**
 * One int8 matrix on the heap, as the quantizer makes it and the model file holds it: {@code q} [rows, cols]
 * row-major in [-127, 127], and {@code scales} [rows, scalesPerRow] (see {@link Int8Scheme}), so that
 * {@code w[i][j] ≈ q[i][j] * scales[i][j / blockLength]}. {@link QuantizedRnn} copies it into native memory.
 *
 * @param rows the rows (outputs) of the matrix
 * @param cols the columns (inputs)
 * @param scheme how the scales are laid out
 * @param q rows × cols values in [-127, 127]
 * @param scales rows × {@link #scalesPerRow()} positive, finite floats
 */
public record Int8Weights(int rows, int cols, Int8Scheme scheme, byte[] q, float[] scales) {

    /** {@return the scales of each row: 1, or one per block of 32 columns} */
    public int scalesPerRow() {
        return scheme.scalesPerRow(cols);
    }

    /**
     * {@return the scale of weight (i, j)}
     *
     * @param i the row
     * @param j the column
     */
    public float scale(int i, int j) {
        return scales[i * scalesPerRow() + j / scheme.blockLength(cols)];
    }

    /**
     * {@return the float value weight (i, j) stands for (for tests and the error report, never for kernels)}
     *
     * @param i the row
     * @param j the column
     */
    public float value(int i, int j) {
        return q[i * cols + j] * scale(i, j);
    }

    /**
     * Refuses what a kernel must never see: wrong lengths, a byte of -128, or a scale that is zero, negative,
     * NaN or infinite (any of these would silently give wrong or non-finite outputs). {@code what} names the
     * matrix in the message.
     *
     * @param what the matrix's name, for the message
     * @throws IllegalArgumentException on the first problem found
     */
    public void check(String what) {
        if (rows < 1 || cols < 1) throw new IllegalArgumentException(what + " has shape [" + rows + ", " + cols + "]");
        if (q == null || q.length != (long) rows * cols)
            throw new IllegalArgumentException(what + " has " + (q == null ? 0 : q.length) + " int8 values, expected " + (long) rows * cols);
        long want = (long) rows * scalesPerRow();
        if (scales == null || scales.length != want)
            throw new IllegalArgumentException(what + ".scale has " + (scales == null ? 0 : scales.length) + " values, expected " + want
                    + " for " + scheme.id() + " [" + rows + ", " + scalesPerRow() + "]");
        for (int i = 0; i < scales.length; i++) {
            float s = scales[i];
            if (!(s > 0) || !Float.isFinite(s))
                throw new IllegalArgumentException(what + ".scale holds " + s + " at index " + i + ": scales must be positive and finite");
        }
        for (int i = 0; i < q.length; i++)
            if (q[i] == Byte.MIN_VALUE)
                throw new IllegalArgumentException(what + " holds -128 at index " + i + ": symmetric int8 uses -127..127");
    }
}
