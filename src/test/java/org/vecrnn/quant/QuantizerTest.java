package org.vecrnn.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.vecrnn.model.ElmanRnn;
import org.vecrnn.model.Output;

class QuantizerTest {
    static LongStream seeds() {
        return LongStream.range(500, 520);
    }

    /** Every weight within half a scale of its value (plus float rounding of w/s), the max at ±127. */
    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void everyWeightWithinHalfAScale(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int rows = 1 + r.nextInt(40), cols = 1 + r.nextInt(100);
        float[] w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) w[i] = (float) ((2 * r.nextDouble() - 1) * Math.pow(10, r.nextInt(5) - 3));
        for (Int8Scheme scheme : Int8Scheme.values()) {
            Int8Weights q = Quantizer.quantize(w, rows, cols, scheme);
            q.check("w");
            assertEquals(rows * scheme.scalesPerRow(cols), q.scales().length);
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    float s = q.scale(i, j), v = w[i * cols + j];
                    assertTrue(Math.abs(q.value(i, j) - v) <= s / 2 * (1 + 1e-6), scheme + " (" + i + "," + j + "): " + v + " -> " + q.value(i, j));
                }
            }
            // the largest weight of each block maps to ±127 exactly
            int len = scheme.blockLength(cols);
            for (int i = 0; i < rows; i++)
                for (int from = 0; from < cols; from += len) {
                    int arg = from;
                    for (int j = from; j < Math.min(cols, from + len); j++) if (Math.abs(w[i * cols + j]) > Math.abs(w[i * cols + arg])) arg = j;
                    assertEquals(127, Math.abs(q.q()[i * cols + arg]), scheme + " row " + i + " block at " + from);
                }
        }
    }

    @Test
    void zeroRowsGetAPositiveScaleAndZeroBytes() {
        float[] w = {0, 0, 0, 1, -2, 0.5f};
        Int8Weights q = Quantizer.quantize(w, 2, 3, Int8Scheme.ROW);
        assertEquals(1f, q.scales()[0]);
        assertEquals(2f / 127, q.scales()[1]);
        assertEquals(0, q.q()[0]);
        assertEquals(-127, q.q()[4]);
        assertEquals(64, q.q()[3]); // 1 / (2/127) = 63.5 rounds half up
    }

    @Test
    void blockScalesCoverAShortLastBlock() {
        float[] w = new float[70];
        for (int j = 0; j < 70; j++) w[j] = j < 64 ? 1 : 100;
        Int8Weights q = Quantizer.quantize(w, 1, 70, Int8Scheme.BLOCK32);
        assertEquals(3, q.scales().length);
        assertEquals(1f / 127, q.scales()[0]);
        assertEquals(100f / 127, q.scales()[2]);
        assertEquals(127, q.q()[0]); // the outlier block does not cost the first blocks their precision
    }

    @Test
    void nonFiniteWeightsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Quantizer.quantize(new float[] {1, Float.NaN}, 1, 2, Int8Scheme.ROW));
    }

    @Test
    void quantizedModelKeepsBiasesAndShrinks() {
        try (ElmanRnn m = Int8Models.fp32(128, 256, 16, Output.SIGMOID, 1, 3); QuantizedRnn q = Quantizer.quantize(m, Int8Scheme.ROW)) {
            assertEquals(m.parameters().a()[5], q.aValues()[5]);
            assertEquals(m.parameters().b()[7], q.bValues()[7]);
            assertTrue(q.bytes() * 3.8 < m.bytes(), q.bytes() + " vs " + m.bytes());
        }
    }

    @Test
    void badPartsAreRefused() {
        Int8Weights ok = new Int8Weights(2, 2, Int8Scheme.ROW, new byte[4], new float[] {1, 1});
        for (float bad : new float[] {0, -1, Float.NaN, Float.POSITIVE_INFINITY}) {
            Int8Weights w = new Int8Weights(2, 2, Int8Scheme.ROW, new byte[4], new float[] {1, bad});
            var e = assertThrows(IllegalArgumentException.class, () -> QuantizedRnn.of(2, 2, 2, Output.SIGMOID, ok, w, new float[2], ok, new float[2]));
            assertTrue(e.getMessage().startsWith("W.scale holds"), e.getMessage());
        }
        Int8Weights min = new Int8Weights(2, 2, Int8Scheme.ROW, new byte[] {0, -128, 0, 0}, new float[] {1, 1});
        assertThrows(IllegalArgumentException.class, () -> QuantizedRnn.of(2, 2, 2, Output.SIGMOID, ok, min, new float[2], ok, new float[2]));
        Int8Weights block = new Int8Weights(2, 2, Int8Scheme.BLOCK32, new byte[4], new float[] {1, 1});
        assertThrows(IllegalArgumentException.class, () -> QuantizedRnn.of(2, 2, 2, Output.SIGMOID, ok, block, new float[2], ok, new float[2]));
        assertThrows(IllegalArgumentException.class, () -> QuantizedRnn.of(2, 2, 2, Output.SIGMOID, ok, ok, new float[] {0, Float.NaN}, ok, new float[2]));
    }
}
