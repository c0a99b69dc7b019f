package org.vecrnn.quant;

/**
 * How an int8 matrix carries its scales: one float per row, or one per block of {@value #BLOCK} weights
 * along the row (the last block of a row may be shorter). Weight {@code w[i][j] ≈ q[i][j] * scale}, with
 * {@code q} in [-127, 127] (symmetric: -128 is never written, so negation is exact).
 */
public enum Int8Scheme {
    /** One scale per row: fewest scales, the scale leaves the inner loop entirely. */
    ROW("int8-row"),
    /** One scale per 32 weights (as llama.cpp's Q8_0): an outlier only costs its own block precision. */
    BLOCK32("int8-block32");

    /** The weights of one block of {@link #BLOCK32}. */
    public static final int BLOCK = 32;
    /**
     * The default of {@code vecrnn quantize}. Measured at (512, 1024, 64) with PyTorch-initialized weights:
     * the same error (h drift over 1,000 steps 0.010 per row, 0.0096 per block), but the per-block step is
     * slower (Int8StepBenchmark, bench/results/int8-latest.txt: 70.3 against 51.2 µs there, 9.3 against
     * 4.8 µs at d = 256: a scale FMA per 32 weights per row) and 12 % larger. Per block pays off only for rows
     * with outliers, e.g. trained weights with a few large entries.
     */
    public static final Int8Scheme DEFAULT = ROW;

    private final String id;

    Int8Scheme(String id) {
        this.id = id;
    }

    /** {@return the name in the model file's metadata ({@code "quant"}) and on the command line} */
    public String id() {
        return id;
    }

    /**
     * {@return the weights that share one scale: cols per row, or {@value #BLOCK}}
     *
     * @param cols the columns of a matrix
     */
    public int blockLength(int cols) {
        return this == ROW ? cols : BLOCK;
    }

    /**
     * {@return the scales of each of its rows}
     *
     * @param cols the columns of a matrix
     */
    public int scalesPerRow(int cols) {
        return this == ROW ? 1 : (cols + BLOCK - 1) / BLOCK;
    }

    /**
     * {@return the scheme of that name}
     *
     * @param s {@code int8-row} or {@code int8-block32}
     * @throws IllegalArgumentException for any other name
     */
    public static Int8Scheme parse(String s) {
        for (Int8Scheme q : values()) if (q.id.equals(s)) return q;
        throw new IllegalArgumentException("unknown quantization scheme '" + s + "' (int8-row or int8-block32)");
    }
}
