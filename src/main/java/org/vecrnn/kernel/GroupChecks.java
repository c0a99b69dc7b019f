package org.vecrnn.kernel;

/**
 * The argument checks of a grouped step ({@link StepKernel#stepGroup}, {@link StepKernel#headGroup}), once per
 * call and before any loop: m within the arrays, every stream's arrays present and long enough, and no
 * stream's output the same array as its own input.
 */
final class GroupChecks {
    private GroupChecks() {}

    /** x == null: a head (no input rows). */
    static void check(float[][] h, float[][] x, float[][] out, int m, int d, int n, int outLen) {
        if (h == null || out == null) throw new IllegalArgumentException("null array of streams");
        if (m < 0 || m > h.length || m > out.length || (x != null && m > x.length))
            throw new IllegalArgumentException("m=" + m + " streams, but the arrays hold " + h.length + (x == null ? "" : ", " + x.length) + " and " + out.length);
        for (int s = 0; s < m; s++) {
            float[] hs = h[s], os = out[s], xs = x == null ? null : x[s];
            if (hs == null || hs.length < d) throw new IllegalArgumentException("stream " + s + ": h holds " + (hs == null ? 0 : hs.length) + " values, expected " + d);
            if (os == null || os.length < outLen) throw new IllegalArgumentException("stream " + s + ": the output holds " + (os == null ? 0 : os.length) + " values, expected " + outLen);
            if (x != null && (xs == null || xs.length < n)) throw new IllegalArgumentException("stream " + s + ": x holds " + (xs == null ? 0 : xs.length) + " values, expected " + n);
            if (os == hs || os == xs) throw new IllegalArgumentException("stream " + s + ": the output must not alias h or x");
        }
    }
}
