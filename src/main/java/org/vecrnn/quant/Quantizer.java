package org.vecrnn.quant;

import org.vecrnn.model.ElmanRnn;
import org.vecrnn.model.Parameters;

/**
 * Symmetric int8 quantization of U, W and V (and every layer's U_l and W_l in a stacked model): for each row (or block of 32 along the row) the scale is
 * {@code max|w| / 127} and {@code q = round(w / scale)}, so every weight is off by at most half a scale.
 * Biases (a, b) and the hidden state stay float: they are a sliver of the bytes and the bias carries the
 * offset a symmetric scheme cannot.
 */
public final class Quantizer {
    private Quantizer() {}

    /**
     * {@return the int8 model with m's biases, output and nonlinearity, to be closed by the caller}
     *
     * @param m an fp32 model, left open
     * @param scheme one scale per row or per block of 32
     */
    public static QuantizedRnn quantize(ElmanRnn m, Int8Scheme scheme) {
        Parameters p = m.parameters();
        int n = m.n(), d = m.d(), k = m.k();
        QuantizedRnn.Layer[] upper = new QuantizedRnn.Layer[m.layers() - 1];
        for (int l = 1; l < m.layers(); l++)
            upper[l - 1] = new QuantizedRnn.Layer(quantize(p.U(l), d, d, scheme), quantize(p.W(l), d, d, scheme), p.a(l));
        return QuantizedRnn.of(n, d, k, m.output(), m.nonlinearity(), quantize(p.U(), d, n, scheme), quantize(p.W(), d, d, scheme), p.a(),
                quantize(p.V(), k, d, scheme), p.b(), upper);
    }

    /**
     * {@return the int8 values and their scales}
     *
     * @param w a row-major [rows, cols] matrix of finite floats
     * @param rows its rows
     * @param cols its columns
     * @param scheme one scale per row or per block of 32
     * @throws IllegalArgumentException when w's length is not rows × cols or a weight is not finite
     */
    public static Int8Weights quantize(float[] w, int rows, int cols, Int8Scheme scheme) {
        if (w.length != (long) rows * cols) throw new IllegalArgumentException(w.length + " values for a [" + rows + ", " + cols + "] matrix");
        int per = scheme.scalesPerRow(cols), len = scheme.blockLength(cols);
        byte[] q = new byte[w.length];
        float[] scales = new float[rows * per];
        for (int i = 0; i < rows; i++) {
            for (int blk = 0; blk < per; blk++) {
                int from = i * cols + blk * len, to = i * cols + Math.min(cols, (blk + 1) * len);
                float max = 0;
                for (int j = from; j < to; j++) {
                    if (!Float.isFinite(w[j])) throw new IllegalArgumentException("weight " + w[j] + " at index " + j + " is not finite");
                    max = Math.max(max, Math.abs(w[j]));
                }
                float s = scaleFor(max);
                scales[i * per + blk] = s;
                for (int j = from; j < to; j++) q[j] = (byte) Math.max(-127, Math.min(127, Math.round(w[j] / s)));
            }
        }
        return new Int8Weights(rows, cols, scheme, q, scales);
    }

    /**
     * A zero row still gets a positive scale (1): a file with scale 0 is refused as corrupt, and q = 0 makes
     * the row exactly zero anyway. A max so small that max/127 underflows gets the smallest positive float.
     */
    static float scaleFor(float max) {
        if (max == 0) return 1f;
        float s = max / 127f;
        return s > 0 ? s : Float.MIN_VALUE;
    }
}
