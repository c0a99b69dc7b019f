package org.vecrnn.train;

import org.vecrnn.model.ElmanRnn;
import org.vecrnn.model.Loss;
import org.vecrnn.model.Nonlinearity;
import org.vecrnn.model.Output;
import org.vecrnn.model.Parameters;
import org.vecrnn.model.Topology;

/**
 * The reference: forward pass and backpropagation through time in plain double-precision Java, one
 * sequence, one step and one layer at a time, written to be read beside the equations rather than to be fast.
 * Every fast path is tested against it, and it is tested against the PyTorch oracle and finite differences.
 *
 * <pre>
 *   h^0_t = x_t,   h^l_t = f(W_l h^l_{t-1} + U_l h^{l-1}_t + a_l)  (l = 1..L, f = tanh or relu)
 *   z_t = V h^L_t + b     o_t = g(z_t)
 *   L   = (1/B) Σ_batch Σ_{t with a target} L_t(o_t, y_t)
 * </pre>
 * Layer 1 is U, W, a (the seed's names); layers 2..L are {@link #upper}. Arrays are row-major: x [B,T,n],
 * h0 [L,B,d] (PyTorch's order; [B,d] for one layer), h [B,T,d] (the last layer), z and o [B,T,k], y [B,T,k]
 * (or [B,k] for many-to-one).
 */
public final class ReferenceBptt {
    public final int n, d, k;
    public final Output g;
    public final Nonlinearity f;
    /** θ in double precision; public so finite-difference tests can nudge one entry. */
    public final double[] U, W, a, V, b;
    /** U_l, W_l, a_l of layers 2..L, three arrays a layer. */
    public final double[][] upper;
    private final int L;

    public ReferenceBptt(int n, int d, int k, Output g, double[] U, double[] W, double[] a, double[] V, double[] b) {
        this(n, d, k, g, Nonlinearity.TANH, U, W, a, V, b, new double[0][]);
    }

    /** A stacked model: {@code upper} holds U_l, W_l, a_l of layers 2..L in turn. */
    public ReferenceBptt(int n, int d, int k, Output g, Nonlinearity f, double[] U, double[] W, double[] a, double[] V, double[] b,
                         double[][] upper) {
        if (upper.length % 3 != 0) throw new IllegalArgumentException("upper holds three arrays a layer, not " + upper.length);
        this.n = n;
        this.d = d;
        this.k = k;
        this.g = g;
        this.f = f;
        this.U = U;
        this.W = W;
        this.a = a;
        this.V = V;
        this.b = b;
        this.upper = upper;
        this.L = 1 + upper.length / 3;
    }

    public static ReferenceBptt of(ElmanRnn m) {
        Parameters p = m.parameters();
        double[][] upper = new double[3 * (m.layers() - 1)][];
        for (int l = 1; l < m.layers(); l++) {
            upper[3 * l - 3] = wide(p.U(l));
            upper[3 * l - 2] = wide(p.W(l));
            upper[3 * l - 1] = wide(p.a(l));
        }
        return new ReferenceBptt(m.n(), m.d(), m.k(), m.output(), m.nonlinearity(), wide(p.U()), wide(p.W()), wide(p.a()),
                wide(p.V()), wide(p.b()), upper);
    }

    /** The number of layers. */
    public int layers() {
        return L;
    }

    private double[] U(int l) { return l == 0 ? U : upper[3 * l - 3]; }
    private double[] W(int l) { return l == 0 ? W : upper[3 * l - 2]; }
    private double[] a(int l) { return l == 0 ? a : upper[3 * l - 1]; }

    /** h (the last layer), z and o for every step of every sequence, and every layer's states in {@code layers} [L][B·T·d]. */
    public record Forward(int B, int T, double[] h, double[] z, double[] o, double[][] layers) {
        public Forward(int B, int T, double[] h, double[] z, double[] o) {
            this(B, T, h, z, o, new double[][] {h});
        }
    }

    /**
     * The loss, dL/dθ (layer 1 and the head under the seed's names, layers 2..L in {@code upper}, three arrays a
     * layer), dL/dh0 ([L,B,d]) and dL/dx, and the forward pass they came from.
     */
    public record Gradients(double loss, Forward forward, double[] dU, double[] dW, double[] da, double[] dV, double[] db,
                            double[] dh0, double[] dx, double[][] upper) {
        public Gradients(double loss, Forward forward, double[] dU, double[] dW, double[] da, double[] dV, double[] db,
                         double[] dh0, double[] dx) {
            this(loss, forward, dU, dW, da, dV, db, dh0, dx, new double[0][]);
        }

        /** dL/dθ in the order of {@link Parameters#names(int)}: dU, dW, da, dV, db, then dU2, dW2, da2, ... */
        public double[][] all() {
            double[][] all = new double[5 + upper.length][];
            all[0] = dU;
            all[1] = dW;
            all[2] = da;
            all[3] = dV;
            all[4] = db;
            System.arraycopy(upper, 0, all, 5, upper.length);
            return all;
        }
    }

    public Forward forward(float[] x, int B, int T, float[] h0) {
        double[][] hs = new double[L][B * T * d];
        double[] z = new double[B * T * k], o = new double[B * T * k];
        for (int s = 0; s < B; s++) {
            for (int t = 0; t < T; t++) {
                int ht = (s * T + t) * d, ot = (s * T + t) * k;
                for (int l = 0; l < L; l++) {
                    double[] Ul = U(l), Wl = W(l), al = a(l), h = hs[l];
                    double[] prev = t > 0 ? slice(h, ht - d, d) : initialState(h0, B, s, l);
                    int in = l == 0 ? n : d;
                    for (int i = 0; i < d; i++) {
                        double pre = al[i];
                        for (int j = 0; j < d; j++) pre += Wl[i * d + j] * prev[j];
                        if (l == 0) for (int j = 0; j < n; j++) pre += Ul[i * n + j] * x[(s * T + t) * n + j];
                        else for (int j = 0; j < d; j++) pre += Ul[i * in + j] * hs[l - 1][ht + j];
                        h[ht + i] = f.apply(pre);
                    }
                }
                double[] top = hs[L - 1];
                for (int i = 0; i < k; i++) {
                    double zi = b[i];
                    for (int j = 0; j < d; j++) zi += V[i * d + j] * top[ht + j];
                    z[ot + i] = zi;
                }
                activate(z, o, ot);
            }
        }
        return new Forward(B, T, hs[L - 1], z, o, hs);
    }

    public Gradients gradients(float[] x, int B, int T, float[] h0, float[] y, Topology topology, Loss loss) {
        return gradients(x, B, T, h0, y, topology, loss, 0);
    }

    /** The same with no target before step {@code firstTarget} (truncated BPTT's burn-in steps). */
    public Gradients gradients(float[] x, int B, int T, float[] h0, float[] y, Topology topology, Loss loss, int firstTarget) {
        loss.checkCompatible(g);
        Forward fw = forward(x, B, T, h0);
        double[][] dUs = new double[L][], dWs = new double[L][], das = new double[L][];
        for (int l = 0; l < L; l++) {
            dUs[l] = new double[d * (l == 0 ? n : d)];
            dWs[l] = new double[d * d];
            das[l] = new double[d];
        }
        double[] dV = new double[k * d], db = new double[k];
        double[] dh0 = new double[L * B * d], dx = new double[B * T * n];
        double total = 0;
        double[] dz = new double[k], dpre = new double[d], dh = new double[d], dBelow = new double[d];
        double[] top = fw.layers[L - 1];
        for (int s = 0; s < B; s++) {
            double[][] dhNext = new double[L][d]; // dL/dh^l_t through the recurrence, from step t+1
            for (int t = T - 1; t >= 0; t--) {
                int ht = (s * T + t) * d, ot = (s * T + t) * k, xt = (s * T + t) * n;
                java.util.Arrays.fill(dz, 0);
                if (topology.hasTarget(t, T) && t >= firstTarget) {
                    int yt = topology == Topology.MANY_TO_ONE ? s * k : ot;
                    total += stepLoss(fw, ot, y, yt, loss);
                    stepLossGradient(fw, ot, y, yt, loss, dz);
                    for (int i = 0; i < k; i++) dz[i] /= B;
                }
                for (int i = 0; i < k; i++) {
                    db[i] += dz[i];
                    for (int j = 0; j < d; j++) dV[i * d + j] += dz[i] * top[ht + j];
                }
                // the top layer gets the head's gradient, each layer below the gradient of its input to the layer above
                for (int j = 0; j < d; j++) {
                    double v = 0;
                    for (int i = 0; i < k; i++) v += V[i * d + j] * dz[i];
                    dBelow[j] = v;
                }
                for (int l = L - 1; l >= 0; l--) {
                    double[] h = fw.layers[l], Ul = U(l), Wl = W(l), dUl = dUs[l], dWl = dWs[l], dal = das[l];
                    int in = l == 0 ? n : d;
                    for (int j = 0; j < d; j++) {
                        dh[j] = dBelow[j] + dhNext[l][j];
                        dpre[j] = dh[j] * f.derivativeFromOutput(h[ht + j]);
                    }
                    double[] prev = t > 0 ? slice(h, ht - d, d) : initialState(h0, B, s, l);
                    java.util.Arrays.fill(dhNext[l], 0);
                    java.util.Arrays.fill(dBelow, 0);
                    for (int i = 0; i < d; i++) {
                        dal[i] += dpre[i];
                        for (int j = 0; j < in; j++) {
                            double inj = l == 0 ? x[xt + j] : fw.layers[l - 1][ht + j];
                            dUl[i * in + j] += dpre[i] * inj;
                            if (l == 0) dx[xt + j] += Ul[i * in + j] * dpre[i];
                            else dBelow[j] += Ul[i * in + j] * dpre[i];
                        }
                        for (int j = 0; j < d; j++) {
                            dWl[i * d + j] += dpre[i] * prev[j];
                            dhNext[l][j] += Wl[i * d + j] * dpre[i];
                        }
                    }
                }
            }
            for (int l = 0; l < L; l++) System.arraycopy(dhNext[l], 0, dh0, (l * B + s) * d, d);
        }
        double[][] up = new double[3 * (L - 1)][];
        for (int l = 1; l < L; l++) {
            up[3 * l - 3] = dUs[l];
            up[3 * l - 2] = dWs[l];
            up[3 * l - 1] = das[l];
        }
        return new Gradients(total / B, fw, dUs[0], dWs[0], das[0], dV, db, dh0, dx, up);
    }

    /** The loss alone (for finite differences). */
    public double loss(float[] x, int B, int T, float[] h0, float[] y, Topology topology, Loss loss) {
        Forward f = forward(x, B, T, h0);
        double total = 0;
        for (int s = 0; s < B; s++)
            for (int t = 0; t < T; t++)
                if (topology.hasTarget(t, T)) {
                    int ot = (s * T + t) * k;
                    total += stepLoss(f, ot, y, topology == Topology.MANY_TO_ONE ? s * k : ot, loss);
                }
        return total / B;
    }

    private double stepLoss(Forward f, int ot, float[] y, int yt, Loss loss) {
        double sum = 0;
        if (loss == Loss.MSE) {
            for (int i = 0; i < k; i++) {
                double e = f.o[ot + i] - y[yt + i];
                sum += e * e;
            }
        } else if (g == Output.SOFTMAX) {
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < k; i++) max = Math.max(max, f.z[ot + i]);
            double lse = 0;
            for (int i = 0; i < k; i++) lse += Math.exp(f.z[ot + i] - max);
            lse = max + Math.log(lse);
            for (int i = 0; i < k; i++) sum -= y[yt + i] * (f.z[ot + i] - lse);
        } else {
            // -[y log s(z) + (1-y) log(1-s(z))] = y softplus(-z) + (1-y) softplus(z), stable for any z
            for (int i = 0; i < k; i++) {
                double zi = f.z[ot + i], yi = y[yt + i];
                sum += yi * softplus(-zi) + (1 - yi) * softplus(zi);
            }
        }
        return sum;
    }

    /** dL_t/dz_t into dz. */
    private void stepLossGradient(Forward f, int ot, float[] y, int yt, Loss loss, double[] dz) {
        if (loss == Loss.CE) {
            if (g == Output.SOFTMAX) {
                double ysum = 0;
                for (int i = 0; i < k; i++) ysum += y[yt + i];
                for (int i = 0; i < k; i++) dz[i] = f.o[ot + i] * ysum - y[yt + i];
            } else {
                for (int i = 0; i < k; i++) dz[i] = f.o[ot + i] - y[yt + i];
            }
            return;
        }
        double[] dout = new double[k];
        for (int i = 0; i < k; i++) dout[i] = 2 * (f.o[ot + i] - y[yt + i]);
        switch (g) {
            case IDENTITY -> System.arraycopy(dout, 0, dz, 0, k);
            case SIGMOID -> {
                for (int i = 0; i < k; i++) dz[i] = dout[i] * f.o[ot + i] * (1 - f.o[ot + i]);
            }
            case SOFTMAX -> {
                double dot = 0;
                for (int i = 0; i < k; i++) dot += f.o[ot + i] * dout[i];
                for (int i = 0; i < k; i++) dz[i] = f.o[ot + i] * (dout[i] - dot);
            }
        }
    }

    private void activate(double[] z, double[] o, int off) {
        switch (g) {
            case IDENTITY -> System.arraycopy(z, off, o, off, k);
            case SIGMOID -> {
                for (int i = 0; i < k; i++) o[off + i] = 1 / (1 + Math.exp(-z[off + i]));
            }
            case SOFTMAX -> {
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (int i = 0; i < k; i++) max = Math.max(max, z[off + i]);
                for (int i = 0; i < k; i++) sum += (o[off + i] = Math.exp(z[off + i] - max));
                for (int i = 0; i < k; i++) o[off + i] /= sum;
            }
        }
    }

    private static double softplus(double x) {
        return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
    }

    /** Layer l's h0 for sequence s, from h0 [L,B,d] (zeros when h0 is null). */
    private double[] initialState(float[] h0, int B, int s, int l) {
        double[] h = new double[d];
        if (h0 != null) for (int i = 0; i < d; i++) h[i] = h0[(l * B + s) * d + i];
        return h;
    }

    private static double[] slice(double[] v, int from, int len) {
        return java.util.Arrays.copyOfRange(v, from, from + len);
    }

    public static double[] wide(float[] v) {
        double[] w = new double[v.length];
        for (int i = 0; i < v.length; i++) w[i] = v[i];
        return w;
    }

    public static float[] narrow(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
        return f;
    }
}
