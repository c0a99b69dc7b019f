package org.vecrnn.blas;

import java.lang.foreign.MemorySegment;

/**
 * Single-precision GEMM on row-major matrices, as BLAS defines it:
 * <pre>  C = alpha · op(A) · op(B) + beta · C     op(A): m×k, op(B): k×n, C: m×n</pre>
 * A matrix is a segment, an offset into it (in floats) and a leading dimension (floats between the starts
 * of two rows). When beta is 0, C is not read (it may hold anything, NaN included).
 *
 * <p>Segments are native, or heap segments over a {@code float[]} ({@code MemorySegment.ofArray}): OpenBLAS
 * reads and writes those in place through a critical downcall, which holds off the garbage collector for
 * the length of the call, so callers keep heap products short (the batched forward pass cuts its products
 * into calls of at most 2^24 multiply-adds, about 0.2 ms here).
 *
 * <p>Every argument is checked in Java before any work ({@link GemmArgs}): negative sizes, leading dimensions
 * smaller than a row, a matrix that would run past the end of its segment, other heap segments, a read-only
 * C, and a C that overlaps A or B all give {@link IllegalArgumentException}, so nothing
 * reaches native code unchecked. Implementations are stateless and safe to call from several threads.
 */
public interface Sgemm {
    void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
               MemorySegment a, long aOff, int lda,
               MemorySegment b, long bOff, int ldb,
               float beta, MemorySegment c, long cOff, int ldc);

    /** What runs, for the one start-up line and benchmark tables. */
    String describe();
}
