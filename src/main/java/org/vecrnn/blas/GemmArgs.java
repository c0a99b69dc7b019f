package org.vecrnn.blas;

import java.lang.foreign.MemorySegment;

/**
 * The checks every {@link Sgemm} runs before touching memory. A native BLAS trusts its arguments
 * completely, so a wrong leading dimension would read or write outside the buffer; here it is an
 * {@link IllegalArgumentException} naming the argument instead.
 */
final class GemmArgs {
    private GemmArgs() {}

    /** Returns false when there is nothing to compute (m or n is 0); throws for any bad argument. */
    static boolean check(boolean transA, boolean transB, int m, int n, int k,
                         MemorySegment a, long aOff, int lda, MemorySegment b, long bOff, int ldb,
                         MemorySegment c, long cOff, int ldc) {
        if (m < 0 || n < 0 || k < 0) throw new IllegalArgumentException("sgemm: negative size m=" + m + " n=" + n + " k=" + k);
        // row-major storage: A is m×k (k×m when transposed), B is k×n (n×k), C is m×n
        int aRows = transA ? k : m, aCols = transA ? m : k;
        int bRows = transB ? n : k, bCols = transB ? k : n;
        matrix("A", a, aOff, aRows, aCols, lda, false);
        matrix("B", b, bOff, bRows, bCols, ldb, false);
        matrix("C", c, cOff, m, n, ldc, true);
        if (m == 0 || n == 0) return false;
        if (k > 0) {
            disjoint("A", a, aOff, aRows, aCols, lda, c, cOff, m, n, ldc);
            disjoint("B", b, bOff, bRows, bCols, ldb, c, cOff, m, n, ldc);
        }
        return true;
    }

    private static void matrix(String name, MemorySegment s, long off, int rows, int cols, int ld, boolean written) {
        if (s == null) throw new IllegalArgumentException("sgemm: " + name + " is null");
        if (!s.isNative() && !(s.heapBase().orElse(null) instanceof float[]))
            throw new IllegalArgumentException("sgemm: " + name + " must be a native segment or a heap segment over a float[]");
        if (written && s.isReadOnly()) throw new IllegalArgumentException("sgemm: " + name + " is read-only");
        if ((s.address() & 3) != 0) throw new IllegalArgumentException("sgemm: " + name + " is not 4-byte aligned");
        if (off < 0) throw new IllegalArgumentException("sgemm: " + name + " offset " + off + " is negative");
        if (ld < Math.max(1, cols))
            throw new IllegalArgumentException("sgemm: leading dimension of " + name + " is " + ld + ", less than its " + cols + " columns");
        long end = end(off, rows, cols, ld);
        long have = s.byteSize() / Float.BYTES;
        if (end > have)
            throw new IllegalArgumentException("sgemm: " + name + " (" + rows + "×" + cols + ", ld " + ld + ", offset " + off
                    + ") needs " + end + " floats, its segment holds " + have);
    }

    /** One past the last float the matrix touches (off when it is empty). */
    static long end(long off, int rows, int cols, int ld) {
        if (rows == 0 || cols == 0) return off;
        return off + (long) (rows - 1) * ld + cols;
    }

    private static void disjoint(String name, MemorySegment s, long off, int rows, int cols, int ld,
                                 MemorySegment c, long cOff, int m, int n, int ldc) {
        if (rows == 0 || cols == 0) return;
        if (s.isNative() != c.isNative() || (!s.isNative() && s.heapBase().get() != c.heapBase().get())) return; // apart
        long s0 = s.address() + off * Float.BYTES, s1 = s.address() + end(off, rows, cols, ld) * Float.BYTES;
        long c0 = c.address() + cOff * Float.BYTES, c1 = c.address() + end(cOff, m, n, ldc) * Float.BYTES;
        if (s0 < c1 && c0 < s1) throw new IllegalArgumentException("sgemm: C overlaps " + name + " (BLAS needs C apart from the inputs)");
    }
}
