package org.vecrnn.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * θ as plain row-major float arrays: what training updates and what gradients look like. The first layer
 * and the head keep the seed's names (U, W, a, V, b); a stacked model's layers 2..L follow in {@code upper}
 * (each {@code U_l} [d, d], {@code W_l} [d, d], {@code a_l} [d]). Mutable on purpose (an optimizer writes into
 * it); {@link ElmanRnn} copies it into immutable memory.
 *
 * @param U the first layer's input weights [d, n]
 * @param W the first layer's recurrent weights [d, d]
 * @param a the first layer's bias [d]
 * @param V the head's weights [k, d]
 * @param b the head's bias [k]
 * @param upper layers 2..L, none for the seed's one-layer model
 */
public record Parameters(float[] U, float[] W, float[] a, float[] V, float[] b, Layer... upper) {

    /**
     * One upper layer.
     *
     * @param U U_l [d, d], whose input is the layer below's h
     * @param W W_l [d, d]
     * @param a a_l [d]
     */
    public record Layer(float[] U, float[] W, float[] a) {
        Layer copy() {
            return new Layer(U.clone(), W.clone(), a.clone());
        }
    }

    /** The names of a one-layer θ in the seed, in a fixed order. */
    public static final String[] NAMES = {"U", "W", "a", "V", "b"};

    /** Most layers a model may have. */
    public static final int MAX_LAYERS = 8;

    /** Checks the number of layers (at most {@value #MAX_LAYERS}); null {@code upper} means none. */
    public Parameters {
        if (upper == null) upper = new Layer[0];
        if (upper.length > MAX_LAYERS - 1) throw new IllegalArgumentException("at most " + MAX_LAYERS + " layers, not " + (upper.length + 1));
    }

    /**
     * {@return zeros of one layer's shapes}
     *
     * @param n the size of an input
     * @param d the size of the hidden state
     * @param k the size of an output
     */
    public static Parameters zeros(int n, int d, int k) {
        return zeros(n, d, k, 1);
    }

    /**
     * {@return zeros of an L-layer model's shapes}
     *
     * @param n the size of an input
     * @param d the size of each layer's hidden state
     * @param k the size of an output
     * @param layers L, 1 to {@value #MAX_LAYERS}
     */
    public static Parameters zeros(int n, int d, int k, int layers) {
        Layer[] up = new Layer[layers - 1];
        for (int l = 0; l < up.length; l++) up[l] = new Layer(new float[d * d], new float[d * d], new float[d]);
        return new Parameters(new float[d * n], new float[d * d], new float[d], new float[k * d], new float[k], up);
    }

    /** {@return L, the number of recurrent layers} */
    public int layers() {
        return 1 + upper.length;
    }

    /**
     * {@return U_l, the array itself (not a copy)}
     *
     * @param l the layer, from 0 (layer 0 is U, W, a)
     */
    public float[] U(int l) { return l == 0 ? U : upper[l - 1].U; }
    /**
     * {@return W_l, the array itself}
     *
     * @param l the layer, from 0
     */
    public float[] W(int l) { return l == 0 ? W : upper[l - 1].W; }
    /**
     * {@return a_l, the array itself}
     *
     * @param l the layer, from 0
     */
    public float[] a(int l) { return l == 0 ? a : upper[l - 1].a; }

    /**
     * The names of θ in the order of {@link #all()}: U, W, a, V, b, then U2, W2, a2, ..., UL, WL, aL (the
     * layers counted from 1, as in the equations). These are also the tensor names of vecrnn's own files.
     *
     * @param layers L
     * @return 5 + 3 (L - 1) names
     */
    public static String[] names(int layers) {
        List<String> s = new ArrayList<>(List.of(NAMES));
        for (int l = 2; l <= layers; l++) {
            s.add("U" + l);
            s.add("W" + l);
            s.add("a" + l);
        }
        return s.toArray(String[]::new);
    }

    /** {@return the names of this θ's arrays, as {@link #names(int)} for its layers} */
    public String[] names() {
        return names(layers());
    }

    /** {@return the arrays themselves, in the order of {@link #names()}} */
    public float[][] all() {
        float[][] all = new float[5 + 3 * upper.length][];
        all[0] = U;
        all[1] = W;
        all[2] = a;
        all[3] = V;
        all[4] = b;
        for (int l = 0; l < upper.length; l++) {
            all[5 + 3 * l] = upper[l].U;
            all[6 + 3 * l] = upper[l].W;
            all[7 + 3 * l] = upper[l].a;
        }
        return all;
    }

    /**
     * {@return the shape of each array of {@link #all()}, outer dimension first}
     *
     * @param n the size of an input
     * @param d the size of the hidden state
     * @param k the size of an output
     */
    public long[][] shapes(int n, int d, int k) {
        return shapes(n, d, k, layers());
    }

    /**
     * The shapes of θ for a model of L layers, without one at hand.
     *
     * @param n the size of an input
     * @param d the size of each layer's hidden state
     * @param k the size of an output
     * @param layers L
     * @return the shape of each array, outer dimension first, in the order of {@link #names(int)}
     */
    public static long[][] shapes(int n, int d, int k, int layers) {
        long[][] s = new long[5 + 3 * (layers - 1)][];
        s[0] = new long[] {d, n};
        s[1] = new long[] {d, d};
        s[2] = new long[] {d};
        s[3] = new long[] {k, d};
        s[4] = new long[] {k};
        for (int l = 0; l < layers - 1; l++) {
            s[5 + 3 * l] = new long[] {d, d};
            s[6 + 3 * l] = new long[] {d, d};
            s[7 + 3 * l] = new long[] {d};
        }
        return s;
    }

    /** {@return a deep copy: every array cloned} */
    public Parameters copy() {
        Layer[] up = new Layer[upper.length];
        for (int l = 0; l < up.length; l++) up[l] = upper[l].copy();
        return new Parameters(U.clone(), W.clone(), a.clone(), V.clone(), b.clone(), up);
    }

    void checkShapes(int n, int d, int k) {
        if (n < 1 || d < 1 || k < 1)
            throw new IllegalArgumentException("sizes must be positive: n=" + n + " d=" + d + " k=" + k);
        long[][] shapes = shapes(n, d, k);
        String[] names = names();
        float[][] got = all();
        for (int i = 0; i < got.length; i++) {
            long want = 1;
            for (long s : shapes[i]) want *= s;
            if (got[i] == null) throw new IllegalArgumentException(names[i] + " is missing");
            if (got[i].length != want)
                throw new IllegalArgumentException(names[i] + " has " + got[i].length + " values, expected " + want
                        + " for n=" + n + " d=" + d + " k=" + k);
        }
    }

    void checkFinite() {
        float[][] got = all();
        String[] names = names();
        for (int i = 0; i < got.length; i++)
            for (int j = 0; j < got[i].length; j++)
                if (!Float.isFinite(got[i][j]))
                    throw new IllegalArgumentException(names[i] + " holds a non-finite value (" + got[i][j] + ") at index " + j);
    }

    /** {@return Σ of squares over all arrays, for gradient clipping by global norm} */
    public double squaredNorm() {
        double s = 0;
        for (float[] p : all()) for (float v : p) s += (double) v * v;
        return s;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Parameters p && Arrays.deepEquals(all(), p.all());
    }

    @Override
    public int hashCode() {
        return Arrays.deepHashCode(all());
    }

    @Override
    public String toString() {
        return "Parameters[layers=" + layers() + "]";
    }
}
