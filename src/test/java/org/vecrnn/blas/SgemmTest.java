package org.vecrnn.blas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every GEMM (OpenBLAS through FFM, the Java Vector API one, the scalar one) against a naive double-precision
 * product on odd shapes, all four transposes, padded leading dimensions, offsets and alpha/beta. The bound is
 * the classic one for a k-term float dot product: |error| <= k·u·Σ|a||b| (+ the rounding of beta·c), u = 2^-24.
 */
class SgemmTest {
    static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    static final int[] SIZES = {1, 3, 15, 16, 17, 33, 65, 100};

    static Sgemm openBlasOrNull() {
        try {
            return OpenBlas.load(Blas.SYSTEM_LIBRARY);
        } catch (RuntimeException e) {
            return null;
        }
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        Random r = new Random(20261126);
        for (String impl : List.of("openblas", "vector", "scalar"))
            for (int c = 0; c < 24; c++) {
                long seed = r.nextLong();
                out.add(Arguments.of(impl, seed));
            }
        return out.stream();
    }

    static Sgemm impl(String name) {
        return switch (name) {
            case "openblas" -> {
                Sgemm s = openBlasOrNull();
                assumeTrue(s != null, "libopenblas.so.0 not installed (apt-get install libopenblas0-pthread)");
                yield s;
            }
            case "vector" -> new VectorSgemm();
            default -> new ScalarSgemm();
        };
    }

    @ParameterizedTest(name = "{0} seed={1}")
    @MethodSource("cases")
    void matchesNaiveProduct(String name, long seed) {
        Sgemm g = impl(name);
        Random r = new Random(seed);
        int m = SIZES[r.nextInt(SIZES.length)], n = SIZES[r.nextInt(SIZES.length)], k = SIZES[r.nextInt(SIZES.length)];
        if (r.nextInt(6) == 0) k = 300 + r.nextInt(300); // crosses the Java GEMM's k panels
        boolean ta = r.nextBoolean(), tb = r.nextBoolean();
        float alpha = r.nextBoolean() ? 1f : (float) r.nextGaussian();
        float beta = switch (r.nextInt(3)) { case 0 -> 0f; case 1 -> 1f; default -> (float) r.nextGaussian(); };
        int aRows = ta ? k : m, aCols = ta ? m : k, bRows = tb ? n : k, bCols = tb ? k : n;
        int lda = aCols + r.nextInt(3), ldb = bCols + r.nextInt(3), ldc = n + r.nextInt(3);
        int aOff = r.nextInt(4), bOff = r.nextInt(4), cOff = r.nextInt(4);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = random(arena, aOff + (long) aRows * lda, r), b = random(arena, bOff + (long) bRows * ldb, r);
            MemorySegment c = random(arena, cOff + (long) m * ldc, r);
            if (beta == 0) for (long i = 0; i < c.byteSize() / 4; i++) c.setAtIndex(F, i, Float.NaN); // must not be read
            float[] before = c.toArray(F);
            g.sgemm(ta, tb, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
            double u = 0x1p-24;
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++) {
                    double s = 0, abs = 0;
                    for (int p = 0; p < k; p++) {
                        double av = a.getAtIndex(F, aOff + (ta ? (long) p * lda + i : (long) i * lda + p));
                        double bv = b.getAtIndex(F, bOff + (tb ? (long) j * ldb + p : (long) p * ldb + j));
                        s += av * bv;
                        abs += Math.abs(av * bv);
                    }
                    int ci = cOff + i * ldc + j;
                    double old = beta == 0 ? 0 : before[ci];
                    double want = alpha * s + beta * old;
                    double bound = (k + 2) * u * (Math.abs(alpha) * abs + Math.abs(beta * old)) + 1e-30;
                    double got = c.getAtIndex(F, ci);
                    assertTrue(Math.abs(got - want) <= bound, name + " " + m + "x" + n + "x" + k + " ta=" + ta + " tb=" + tb
                            + " C[" + i + "," + j + "]=" + got + " want " + want + " bound " + bound);
                }
            // padding between rows and before the offset is never written
            for (int i = 0; i < cOff; i++) assertEquals(Float.floatToRawIntBits(before[i]), Float.floatToRawIntBits(c.getAtIndex(F, i)));
            for (int i = 0; i < m; i++)
                for (int j = n; j < ldc; j++) {
                    int ci = cOff + i * ldc + j;
                    assertEquals(Float.floatToRawIntBits(before[ci]), Float.floatToRawIntBits(c.getAtIndex(F, ci)), "padding written");
                }
        }
    }

    static MemorySegment random(Arena arena, long count, Random r) {
        MemorySegment s = arena.allocate(Math.max(1, count) * Float.BYTES, 64);
        for (long i = 0; i < count; i++) s.setAtIndex(F, i, (float) r.nextGaussian());
        return s;
    }

    static Stream<String> impls() {
        return Stream.of("openblas", "vector", "scalar");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("impls")
    void refusesBadArgumentsBeforeAnyWork(String name) {
        Sgemm g = impl(name);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = arena.allocate(12 * 4L, 64), b = arena.allocate(12 * 4L, 64), c = arena.allocate(9 * 4L, 64);
            // fine: 3×4 · 4×3
            g.sgemm(false, false, 3, 3, 4, 1f, a, 0, 4, b, 0, 3, 0f, c, 0, 3);
            assertThrows(IllegalArgumentException.class, () -> g.sgemm(false, false, -1, 3, 4, 1f, a, 0, 4, b, 0, 3, 0f, c, 0, 3));
            assertThrows(IllegalArgumentException.class, () -> g.sgemm(false, false, 3, 3, 4, 1f, a, 0, 3, b, 0, 3, 0f, c, 0, 3), "lda < k");
            assertThrows(IllegalArgumentException.class, () -> g.sgemm(false, false, 3, 3, 4, 1f, a, 1, 4, b, 0, 3, 0f, c, 0, 3), "A past end");
            assertThrows(IllegalArgumentException.class, () -> g.sgemm(false, false, 4, 3, 4, 1f, a, 0, 4, b, 0, 3, 0f, c, 0, 3), "C too short");
            assertThrows(IllegalArgumentException.class, () -> g.sgemm(true, false, 3, 3, 4, 1f, a, 0, 4, b, 0, 3, 0f, c, 0, 3), "A^T needs ld >= m over k rows");
            assertThrows(IllegalArgumentException.class, () -> g.sgemm(false, true, 3, 3, 4, 1f, a, 0, 4, b, 0, 3, 0f, c, 0, 3), "B^T needs ld >= k");
            assertThrows(IllegalArgumentException.class, () -> g.sgemm(false, false, 3, 3, 4, 1f, a, 0, 4, b, 0, 3, 0f, c, 0, 0), "ldc 0");
            assertThrows(IllegalArgumentException.class, () -> g.sgemm(false, false, 3, 3, 4, 1f, MemorySegment.ofArray(new byte[48]), 0, 4, b, 0, 3, 0f, c, 0, 3), "heap, not float[]");
            assertThrows(IllegalArgumentException.class, () -> g.sgemm(false, false, 3, 3, 4, 1f, a, 0, 4, b, 0, 3, 0f, c.asReadOnly(), 0, 3), "read-only C");
            assertThrows(IllegalArgumentException.class, () -> g.sgemm(false, false, 3, 3, 4, 1f, a, 0, 4, a, 0, 3, 0f, a, 0, 3), "C overlaps A");
            assertThrows(IllegalArgumentException.class, () -> g.sgemm(false, false, 3, 3, 4, 1f, a.asSlice(1), 0, 4, b, 0, 3, 0f, c, 0, 3), "misaligned");
            assertThrows(IllegalArgumentException.class, () -> g.sgemm(false, false, 3, 3, 4, 1f, null, 0, 4, b, 0, 3, 0f, c, 0, 3), "null");
            assertThrows(IllegalArgumentException.class,
                    () -> g.sgemm(false, false, Integer.MAX_VALUE, Integer.MAX_VALUE, 4, 1f, a, 0, 4, b, 0, Integer.MAX_VALUE, 0f, c, 0, Integer.MAX_VALUE), "huge");
            // empty products are fine and touch nothing
            g.sgemm(false, false, 0, 3, 4, 1f, a, 0, 4, b, 0, 3, 0f, c, 0, 3);
        }
        Arena closed = Arena.ofConfined();
        MemorySegment x = closed.allocate(16 * 4L, 64);
        closed.close();
        assertThrows(IllegalStateException.class, () -> g.sgemm(false, false, 2, 2, 2, 1f, x, 0, 2, x, 4, 2, 0f, x, 8, 2), "closed memory");
    }

    /** Heap segments over float[] give the same bits as native ones (OpenBLAS reads them in place). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("impls")
    void heapArraysGiveTheNativeResult(String name) {
        Sgemm g = impl(name);
        Random r = new Random(5);
        System.out.println("SgemmTest.heapArraysGiveTheNativeResult seed=5 " + name);
        for (int[] s : new int[][] {{1, 1, 1}, {3, 17, 33}, {65, 16, 100}, {17, 257, 15}}) {
            int m = s[0], n = s[1], k = s[2];
            float[] a = new float[m * k + 3], b = new float[k * n], c = new float[m * n + 5];
            for (int i = 0; i < a.length; i++) a[i] = (float) r.nextGaussian();
            for (int i = 0; i < b.length; i++) b[i] = (float) r.nextGaussian();
            for (int i = 0; i < c.length; i++) c[i] = (float) r.nextGaussian();
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment an = copy(arena, a), bn = copy(arena, b), cn = copy(arena, c);
                g.sgemm(false, true, m, n, k, 0.5f, an, 3, k, bn, 0, k, 1f, cn, 5, n);
                g.sgemm(false, true, m, n, k, 0.5f, MemorySegment.ofArray(a), 3, k, MemorySegment.ofArray(b), 0, k, 1f, MemorySegment.ofArray(c), 5, n);
                for (int i = 0; i < c.length; i++) assertEquals(cn.getAtIndex(F, i), c[i], "m=" + m + " n=" + n + " k=" + k + " at " + i);
            }
            float[] shared = new float[m * k + m * n];
            assertThrows(IllegalArgumentException.class, () -> g.sgemm(false, false, m, n, k, 1f, MemorySegment.ofArray(shared), 0, k,
                    MemorySegment.ofArray(b), 0, n, 0f, MemorySegment.ofArray(shared), (long) m * k - 1, n), "C overlaps A in one array");
        }
    }

    private static MemorySegment copy(Arena arena, float[] v) {
        return arena.allocate(v.length * 4L, 64).copyFrom(MemorySegment.ofArray(v));
    }

    /**
     * OpenBLAS runs the core the user chose when OPENBLAS_CORETYPE is set (this workplace sets it on some
     * machines, and tests must keep it), and its AVX-512 kernels otherwise on an AVX-512 CPU.
     */
    @Test
    void openBlasRunsTheUsersCoreOrItsAvx512Kernels() {
        OpenBlas o = (OpenBlas) openBlasOrNull();
        assumeTrue(o != null, "libopenblas.so.0 not installed");
        String user = System.getenv(CoreType.VAR);
        if (user != null) {
            assertEquals(CoreType.VAR + "=" + user + " (set by the user)", CoreType.ensure());
            assertEquals(user.toLowerCase(java.util.Locale.ROOT), o.coreName().toLowerCase(java.util.Locale.ROOT), "the user's core is kept");
        } else {
            assumeTrue(CoreType.hasAvx512(), "no AVX-512 on this CPU");
            assertTrue(CoreType.ensure().contains("SkylakeX"), CoreType.ensure());
            assertEquals("SkylakeX", o.coreName(), "OpenBLAS core with " + CoreType.ensure());
        }
        o.setThreads(1);
        assertEquals(1, o.threads());
    }
}
