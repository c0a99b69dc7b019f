package org.vecrnn.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The block plan both column-form kernels share: blocks of 8, then 4, then 1 vectors, one after another. */
class ColumnBlocksTest {
    @Test
    void blocksOf8Then4Then1() {
        // 16 lanes: 1000 rows are 62 whole vectors and a partial one
        ColumnBlocks b = ColumnBlocks.plan(1000, 16, 300, Float.BYTES);
        assertArrayEquals(new int[] {8, 8, 8, 8, 8, 8, 8, 4, 1, 1, 1}, b.size());
        assertArrayEquals(new int[] {0, 8, 16, 24, 32, 40, 48, 56, 60, 61, 62}, b.first());
        // block after block: a vector's column takes 16 lanes × 300 weights × 4 bytes
        long vector = 16L * 300 * 4;
        assertArrayEquals(new long[] {0, 8 * vector, 16 * vector, 24 * vector, 32 * vector, 40 * vector, 48 * vector,
                56 * vector, 60 * vector, 61 * vector, 62 * vector}, b.base());
        assertEquals(63 * vector, b.bytes());
    }

    @Test
    void blocksOf8OnlyWithinTheByteLimit() {
        // a block of 8 vectors of 16 fp32 lanes over K weights: 512·K bytes, 512 KB at K = 1024
        assertArrayEquals(new int[] {8, 8}, ColumnBlocks.plan(256, 16, 1024, Float.BYTES).size());
        assertArrayEquals(new int[] {4, 4, 4, 4}, ColumnBlocks.plan(256, 16, 1025, Float.BYTES).size());
        // int8 weights: four times the K
        assertArrayEquals(new int[] {8, 8}, ColumnBlocks.plan(256, 16, 4096, Byte.BYTES).size());
        assertArrayEquals(new int[] {4, 4, 4, 4}, ColumnBlocks.plan(256, 16, 4097, Byte.BYTES).size());
    }

    @Test
    void fewerRowsThanOneVector() {
        ColumnBlocks b = ColumnBlocks.plan(3, 16, 5, Byte.BYTES);
        assertArrayEquals(new int[] {1}, b.size());
        assertArrayEquals(new int[] {0}, b.first());
    }
}
