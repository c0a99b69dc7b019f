package org.vecrnn.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * VectorGemm against a scalar loop in its documented order: each output starts from I and adds
 * A[r, j]·Bt[j, c] for j = 0, 1, ... with one fused multiply-add each. Every tile shape (4×4, 1×4, 4×1, 1×1)
 * sums that way, so the results must agree bit for bit, on row counts that leave every kind of tail.
 */
class VectorGemmTest {
    static final int L = VectorWidth.FLOATS.length();

    record Case(int M, int K, int vectors, long seed) {
        @Override
        public String toString() {
            return "M=" + M + " K=" + K + " N=" + vectors + "L seed=" + seed;
        }
    }

    static List<Case> cases() {
        List<Case> all = new ArrayList<>();
        long seed = 900;
        for (int M : new int[] {1, 3, 4, 7, 8, 9, 13, 32, 33, 70})
            for (int K : new int[] {1, 3, 17, 256})
                for (int vectors : new int[] {1, 2, 3, 5, 9}) all.add(new Case(M, K, vectors, seed++));
        return all;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void equalsSequentialFmaBitForBit(Case c) {
        int M = c.M, K = c.K, N = c.vectors * L, lda = K + 2, ldc = N + L;
        SplittableRandom r = new SplittableRandom(c.seed);
        float[] A = fill(r, 3 + M * lda), I = fill(r, 5 + M * ldc), C = new float[7 + M * ldc];
        // B [rows, K] with rows < N when there is room, so that the zero padding columns are covered too
        int rows = N > L ? N - L / 2 : N;
        float[] b = fill(r, rows * K);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment Bt = VectorGemm.pack(arena, b, rows, K, N);
            float[] I0 = I.clone();
            VectorGemm.gemm(A, 3, lda, M, K, Bt, N, I, 5, C, 7, ldc);
            assertArrayEquals(I0, I, c + ": I is read, never written");
            float[] acc = I.clone();
            VectorGemm.gemmAcc(A, 3, lda, M, K, Bt, N, acc, 5, ldc);
            for (int i = 0; i < M; i++)
                for (int col = 0; col < N; col++) {
                    float s = I[5 + i * ldc + col];
                    for (int j = 0; j < K; j++) s = Math.fma(A[3 + i * lda + j], col < rows ? b[col * K + j] : 0f, s);
                    assertEquals(s, C[7 + i * ldc + col], 0f, c + " row " + i + " col " + col);
                    assertEquals(s, acc[5 + i * ldc + col], 0f, c + " (in place) row " + i + " col " + col);
                }
            // nothing outside the M rows of N columns is written: C's prefix, the gaps between rows and the tail
            for (int q = 0; q < C.length; q++) {
                int rel = q - 7;
                boolean inside = rel >= 0 && rel / ldc < M && rel % ldc < N;
                if (!inside) assertEquals(0f, C[q], 0f, c + " wrote outside its rows at " + q);
            }
        }
    }

    private static float[] fill(SplittableRandom r, int len) {
        float[] v = new float[len];
        for (int i = 0; i < len; i++) v[i] = (float) r.nextDouble(-1, 1);
        return v;
    }
}
