package org.vecrnn.kernel;

/**
 * How the column-form step kernels ({@link VectorStepKernel}, {@link Int8VectorKernel}) cut a matrix's output
 * vectors into blocks: block i covers output vectors [first[i], first[i] + size[i]) and its packed weights
 * start base[i] bytes into the matrix, block after block ({@code bytes} in all). Blocks of {@value #WIDE}
 * vectors while whole ones are left, then of 4, then single vectors (the last one perhaps partial); blocks of
 * {@value #WIDE} only where one stays within {@link #MAX_BLOCK_BYTES}.
 */
record ColumnBlocks(int[] first, int[] size, long[] base, long bytes) {
    /** The widest block: 8 output vectors held in registers while the step reads their weights. */
    static final int WIDE = 8;
    /**
     * The largest block of {@value #WIDE} vectors; wider models take blocks of 4. A stream alternates the
     * direction of its pass over the blocks, and what the step before read last is still in L2 only in whole
     * blocks: at (512, 1024, 64) an fp32 block of 8 vectors is 786 KB of a 1 MB L2. Blocks of 4 there: 1.07
     * times faster, the median of per-round ratios over 8 alternating one-fork runs of the two builds (two
     * earlier runs of 5 and 6 rounds: 1.07 and 1.08; a small gain on a noisy machine, not a certain one). Their
     * 4 FMA chains do not limit a step that waits for L3. At (256, 512, 32), blocks of 8 are 393 KB and blocks
     * of 4 made no difference, so smaller models keep 8.
     */
    static final long MAX_BLOCK_BYTES = 512 * 1024;

    /**
     * The blocks for {@code rows} outputs of L lanes per vector, each output vector reading K weights of
     * {@code weightBytes} bytes per lane.
     */
    static ColumnBlocks plan(int rows, int L, int K, int weightBytes) {
        int whole = rows / L, vectors = (rows + L - 1) / L;
        int[] size = new int[vectors];
        int nb = 0, v = 0;
        if ((long) weightBytes * WIDE * L * K <= MAX_BLOCK_BYTES) for (; v + WIDE <= whole; v += WIDE) size[nb++] = WIDE;
        for (; v + 4 <= whole; v += 4) size[nb++] = 4;
        for (; v < vectors; v++) size[nb++] = 1;
        int[] first = new int[nb];
        long[] base = new long[nb];
        long vectorBytes = (long) weightBytes * L * K;
        for (int i = 1; i < nb; i++) {
            first[i] = first[i - 1] + size[i - 1];
            base[i] = first[i] * vectorBytes;
        }
        return new ColumnBlocks(first, java.util.Arrays.copyOf(size, nb), base, vectors * vectorBytes);
    }
}
