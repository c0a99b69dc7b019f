package org.vecrnn.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@code C += A Bᵀ} with the Vector API, B given transposed and packed by {@link #pack}: Bᵀ (K rows of N
 * floats, N a multiple of the vector length, zero-padded) in column panels of {@value #PANEL_VECTORS}
 * vectors, each panel's K rows one after another, in 64-byte-aligned native memory. A tile then reads its
 * panel as one sequential stream (rows of the unpacked Bᵀ 1 KB apart at N = 256 made the recurrence's
 * product 4 to 8 % slower). Register tiles of 4 rows of A × 4 vectors of C (16 accumulators, of the 32
 * AVX-512 registers): per step j, 4 loads of Bᵀ, 4 broadcasts of A and 16 FMAs, and no horizontal reductions
 * at all (unlike the dot-product form), which is what makes a GEMM compute-bound. Rows of A are taken in
 * chunks of {@value #ROW_CHUNK} so that a chunk of A stays in cache while every panel passes over it.
 */
final class VectorGemm {
    private VectorGemm() {}

    private static final VectorSpecies<Float> S = VectorWidth.FLOATS;
    private static final int L = S.length();
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    static final int ROW_CHUNK = 64;
    /** Vectors per column panel: the width of the 4×4 tile. */
    static final int PANEL_VECTORS = 4;
    private static final int PANEL = PANEL_VECTORS * L;
    /**
     * Bytes from one row of a whole panel to the next. A constant, not a parameter, in the tiles over whole
     * panels: C2 then hoists the bounds checks of their loads out of the loop (with a parameter it kept four
     * checks and a multiply per j).
     */
    private static final long PANEL_ROW = 4L * PANEL;

    /**
     * Bᵀ for {@link #gemm}: the transpose of M [rows, K] (row-major, from offset 0), padded with zero columns
     * to N (a multiple of the vector length, at least rows), in panels, in 64-byte-aligned memory of the arena.
     */
    static MemorySegment pack(Arena arena, float[] M, int rows, int K, int N) {
        if (N % L != 0 || N < rows || M.length < rows * K) throw new IllegalArgumentException("cannot pack " + rows + "×" + K + " into " + N + " columns");
        MemorySegment s = arena.allocate(4L * K * N, 64);
        for (int p0 = 0; p0 < N; p0 += PANEL) {
            int w = Math.min(PANEL, N - p0);
            // a panel is filled on the heap and copied in one call (a store per value through the segment
            // ran interpreted at load)
            float[] panel = new float[K * w];
            for (int j = 0; j < K; j++)
                for (int c = 0; c < w && p0 + c < rows; c++)
                    panel[j * w + c] = M[(p0 + c) * K + j];
            MemorySegment.copy(panel, 0, s, ValueLayout.JAVA_FLOAT, 4L * p0 * K, panel.length);
        }
        return s.asReadOnly();
    }

    /**
     * C[r, 0..N) += Σ_{j<K} A[aOff + r lda + j] · Bᵀ[j, 0..N) for r in [0, M), Bᵀ packed by {@link #pack};
     * C rows {@code ldc} floats apart and hold at least N floats.
     */
    static void gemmAcc(float[] A, int aOff, int lda, int M, int K, MemorySegment Bt, int N,
                        float[] C, int cOff, int ldc) {
        gemm(A, aOff, lda, M, K, Bt, N, C, cOff, C, cOff, ldc);
    }

    /**
     * C[r, 0..N) = I[r, 0..N) + Σ_{j<K} A[aOff + r lda + j] · Bᵀ[j, 0..N), the sum starting from I's value
     * (I may be C itself); I rows are {@code ldc} floats apart like C's. Saves the copy of I into C.
     */
    static void gemm(float[] A, int aOff, int lda, int M, int K, MemorySegment Bt, int N,
                     float[] I, int iOff, float[] C, int cOff, int ldc) {
        if (Bt.byteSize() < 4L * K * N) throw new IllegalArgumentException("Bᵀ holds " + Bt.byteSize() / 4 + " floats, fewer than " + K + "×" + N);
        for (int r0 = 0; r0 < M; r0 += ROW_CHUNK) {
            int rEnd = Math.min(M, r0 + ROW_CHUNK);
            int c = 0;
            for (; c + PANEL <= N; c += PANEL) {
                long panel = 4L * c * K;
                int r = r0;
                for (; r + 4 <= rEnd; r += 4) tile4x4(A, aOff + r * lda, lda, K, Bt, panel, c, I, iOff + r * ldc, C, cOff + r * ldc, ldc);
                for (; r < rEnd; r++) tile1x4(A, aOff + r * lda, K, Bt, panel, c, I, iOff + r * ldc, C, cOff + r * ldc);
            }
            long panel = 4L * c * K, row = 4L * (N - c); // the last, narrower panel
            for (int c1 = c; c1 < N; c1 += L) {
                long at = panel + 4L * (c1 - c);
                int r = r0;
                for (; r + 4 <= rEnd; r += 4) tile4x1(A, aOff + r * lda, lda, K, Bt, at, row, c1, I, iOff + r * ldc, C, cOff + r * ldc, ldc);
                for (; r < rEnd; r++) tile1x1(A, aOff + r * lda, K, Bt, at, row, c1, I, iOff + r * ldc, C, cOff + r * ldc);
            }
        }
    }

    // The tiles: Bᵀ[j, c ..] is at byte bOff + j·PANEL_ROW in a whole panel, bOff + j·btRow in the last one
    // (bOff: where column c starts in its panel). A load used once is the FMA's first argument, so C2 folds it in.

    private static FloatVector bt(MemorySegment Bt, long off) {
        return FloatVector.fromMemorySegment(S, Bt, off, NATIVE);
    }

    private static void tile4x4(float[] A, int a0, int lda, int K, MemorySegment Bt, long bOff, int c,
                                float[] I, int i0, float[] C, int c0, int ldc) {
        int a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda;
        int c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc, i1 = i0 + ldc, i2 = i1 + ldc, i3 = i2 + ldc;
        FloatVector s00 = FloatVector.fromArray(S, I, i0 + c), s01 = FloatVector.fromArray(S, I, i0 + c + L),
                s02 = FloatVector.fromArray(S, I, i0 + c + 2 * L), s03 = FloatVector.fromArray(S, I, i0 + c + 3 * L);
        FloatVector s10 = FloatVector.fromArray(S, I, i1 + c), s11 = FloatVector.fromArray(S, I, i1 + c + L),
                s12 = FloatVector.fromArray(S, I, i1 + c + 2 * L), s13 = FloatVector.fromArray(S, I, i1 + c + 3 * L);
        FloatVector s20 = FloatVector.fromArray(S, I, i2 + c), s21 = FloatVector.fromArray(S, I, i2 + c + L),
                s22 = FloatVector.fromArray(S, I, i2 + c + 2 * L), s23 = FloatVector.fromArray(S, I, i2 + c + 3 * L);
        FloatVector s30 = FloatVector.fromArray(S, I, i3 + c), s31 = FloatVector.fromArray(S, I, i3 + c + L),
                s32 = FloatVector.fromArray(S, I, i3 + c + 2 * L), s33 = FloatVector.fromArray(S, I, i3 + c + 3 * L);
        for (int j = 0; j < K; j++) {
            long o = bOff + j * PANEL_ROW;
            FloatVector b0 = bt(Bt, o), b1 = bt(Bt, o + 4L * L), b2 = bt(Bt, o + 8L * L), b3 = bt(Bt, o + 12L * L);
            FloatVector x = FloatVector.broadcast(S, A[a0 + j]);
            s00 = b0.fma(x, s00); s01 = b1.fma(x, s01); s02 = b2.fma(x, s02); s03 = b3.fma(x, s03);
            x = FloatVector.broadcast(S, A[a1 + j]);
            s10 = b0.fma(x, s10); s11 = b1.fma(x, s11); s12 = b2.fma(x, s12); s13 = b3.fma(x, s13);
            x = FloatVector.broadcast(S, A[a2 + j]);
            s20 = b0.fma(x, s20); s21 = b1.fma(x, s21); s22 = b2.fma(x, s22); s23 = b3.fma(x, s23);
            x = FloatVector.broadcast(S, A[a3 + j]);
            s30 = b0.fma(x, s30); s31 = b1.fma(x, s31); s32 = b2.fma(x, s32); s33 = b3.fma(x, s33);
        }
        s00.intoArray(C, c0 + c); s01.intoArray(C, c0 + c + L); s02.intoArray(C, c0 + c + 2 * L); s03.intoArray(C, c0 + c + 3 * L);
        s10.intoArray(C, c1 + c); s11.intoArray(C, c1 + c + L); s12.intoArray(C, c1 + c + 2 * L); s13.intoArray(C, c1 + c + 3 * L);
        s20.intoArray(C, c2 + c); s21.intoArray(C, c2 + c + L); s22.intoArray(C, c2 + c + 2 * L); s23.intoArray(C, c2 + c + 3 * L);
        s30.intoArray(C, c3 + c); s31.intoArray(C, c3 + c + L); s32.intoArray(C, c3 + c + 2 * L); s33.intoArray(C, c3 + c + 3 * L);
    }

    private static void tile1x4(float[] A, int a0, int K, MemorySegment Bt, long bOff, int c, float[] I, int i0, float[] C, int c0) {
        FloatVector s0 = FloatVector.fromArray(S, I, i0 + c), s1 = FloatVector.fromArray(S, I, i0 + c + L),
                s2 = FloatVector.fromArray(S, I, i0 + c + 2 * L), s3 = FloatVector.fromArray(S, I, i0 + c + 3 * L);
        for (int j = 0; j < K; j++) {
            long o = bOff + j * PANEL_ROW;
            FloatVector x = FloatVector.broadcast(S, A[a0 + j]);
            s0 = x.fma(bt(Bt, o), s0);
            s1 = x.fma(bt(Bt, o + 4L * L), s1);
            s2 = x.fma(bt(Bt, o + 8L * L), s2);
            s3 = x.fma(bt(Bt, o + 12L * L), s3);
        }
        s0.intoArray(C, c0 + c); s1.intoArray(C, c0 + c + L); s2.intoArray(C, c0 + c + 2 * L); s3.intoArray(C, c0 + c + 3 * L);
    }

    private static void tile4x1(float[] A, int a0, int lda, int K, MemorySegment Bt, long bOff, long btRow, int c,
                                float[] I, int i0, float[] C, int c0, int ldc) {
        int a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda;
        int c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc, i1 = i0 + ldc, i2 = i1 + ldc, i3 = i2 + ldc;
        FloatVector s0 = FloatVector.fromArray(S, I, i0 + c), s1 = FloatVector.fromArray(S, I, i1 + c),
                s2 = FloatVector.fromArray(S, I, i2 + c), s3 = FloatVector.fromArray(S, I, i3 + c);
        for (int j = 0; j < K; j++) {
            FloatVector b = bt(Bt, bOff + j * btRow);
            s0 = b.fma(FloatVector.broadcast(S, A[a0 + j]), s0);
            s1 = b.fma(FloatVector.broadcast(S, A[a1 + j]), s1);
            s2 = b.fma(FloatVector.broadcast(S, A[a2 + j]), s2);
            s3 = b.fma(FloatVector.broadcast(S, A[a3 + j]), s3);
        }
        s0.intoArray(C, c0 + c); s1.intoArray(C, c1 + c); s2.intoArray(C, c2 + c); s3.intoArray(C, c3 + c);
    }

    private static void tile1x1(float[] A, int a0, int K, MemorySegment Bt, long bOff, long btRow, int c, float[] I, int i0, float[] C, int c0) {
        FloatVector s = FloatVector.fromArray(S, I, i0 + c);
        for (int j = 0; j < K; j++) s = FloatVector.broadcast(S, A[a0 + j]).fma(bt(Bt, bOff + j * btRow), s);
        s.intoArray(C, c0 + c);
    }
}
