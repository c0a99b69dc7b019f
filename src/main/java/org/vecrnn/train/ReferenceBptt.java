package org.vecrnn.train;

import org.vecrnn.model.ElmanRnn;
import org.vecrnn.model.Loss;
import org.vecrnn.model.Output;
import org.vecrnn.model.Parameters;
import org.vecrnn.model.Topology;

/**
 * The reference: forward pass and backpropagation through time in plain double-precision Java, one
 * sequence and one step at a time, written to be read beside the equations rather than to be fast.
 * Every fast path is tested against it, and it is tested against the PyTorch oracle and finite differences.
 *
 * <pre>
 *   h_t = tanh(W h_{t-1} + U x_t + a)     z_t = V h_t + b     o_t = g(z_t)
 *   L   = (1/B) Σ_batch Σ_{t with a target} L_t(o_t, y_t)
 * </pre>
 * Arrays are row-major: x [B,T,n], h0 [B,d], h [B,T,d], z and o [B,T,k], y [B,T,k] (or [B,k] for many-to-one).
 */
public final class ReferenceBptt {
    public final int n, d, k;
    public final Output g;
    /** θ in double precision; public so finite-difference tests can nudge one entry. */
    public final double[] U, W, a, V, b;

    public ReferenceBptt(int n, int d, int k, Output g, double[] U, double[] W, double[] a, double[] V, double[] b) {
        this.n = n;
        this.d = d;
        this.k = k;
        this.g = g;
        this.U = U;
        this.W = W;
        this.a = a;
        this.V = V;
        this.b = b;
    }

    public static ReferenceBptt of(ElmanRnn m) {
        m.requireOneTanhLayer("the reference BPTT");
        Parameters p = m.parameters();
        return new ReferenceBptt(m.n(), m.d(), m.k(), m.output(), wide(p.U()), wide(p.W()), wide(p.a()), wide(p.V()), wide(p.b()));
    }

    /** h, z and o for every step of every sequence. */
    public record Forward(int B, int T, double[] h, double[] z, double[] o) {}

    /** The loss, dL/dθ, dL/dh0 and dL/dx, and the forward pass they came from. */
    public record Gradients(double loss, Forward forward, double[] dU, double[] dW, double[] da, double[] dV, double[] db,
                            double[] dh0, double[] dx) {}

    public Forward forward(float[] x, int B, int T, float[] h0) {
        double[] h = new double[B * T * d], z = new double[B * T * k], o = new double[B * T * k];
        for (int s = 0; s < B; s++) {
            double[] prev = initialState(h0, s);
            for (int t = 0; t < T; t++) {
                int xt = (s * T + t) * n, ht = (s * T + t) * d, ot = (s * T + t) * k;
                for (int i = 0; i < d; i++) {
                    double pre = a[i];
                    for (int j = 0; j < d; j++) pre += W[i * d + j] * prev[j];
                    for (int j = 0; j < n; j++) pre += U[i * n + j] * x[xt + j];
                    h[ht + i] = Math.tanh(pre);
                }
                for (int i = 0; i < k; i++) {
                    double zi = b[i];
                    for (int j = 0; j < d; j++) zi += V[i * d + j] * h[ht + j];
                    z[ot + i] = zi;
                }
                activate(z, o, ot);
                prev = java.util.Arrays.copyOfRange(h, ht, ht + d);
            }
        }
        return new Forward(B, T, h, z, o);
    }

    public Gradients gradients(float[] x, int B, int T, float[] h0, float[] y, Topology topology, Loss loss) {
        return gradients(x, B, T, h0, y, topology, loss, 0);
    }

    /** The same with no target before step {@code firstTarget} (truncated BPTT's burn-in steps). */
    public Gradients gradients(float[] x, int B, int T, float[] h0, float[] y, Topology topology, Loss loss, int firstTarget) {
        loss.checkCompatible(g);
        Forward f = forward(x, B, T, h0);
        double[] dU = new double[d * n], dW = new double[d * d], da = new double[d], dV = new double[k * d], db = new double[k];
        double[] dh0 = new double[B * d], dx = new double[B * T * n];
        double total = 0;
        double[] dz = new double[k], dpre = new double[d];
        for (int s = 0; s < B; s++) {
            double[] dhNext = new double[d];
            for (int t = T - 1; t >= 0; t--) {
                int ht = (s * T + t) * d, ot = (s * T + t) * k, xt = (s * T + t) * n;
                java.util.Arrays.fill(dz, 0);
                if (topology.hasTarget(t, T) && t >= firstTarget) {
                    int yt = topology == Topology.MANY_TO_ONE ? s * k : ot;
                    total += stepLoss(f, ot, y, yt, loss);
                    stepLossGradient(f, ot, y, yt, loss, dz);
                    for (int i = 0; i < k; i++) dz[i] /= B;
                }
                double[] prev = t > 0 ? slice(f.h, ht - d, d) : initialState(h0, s);
                for (int i = 0; i < k; i++) {
                    db[i] += dz[i];
                    for (int j = 0; j < d; j++) dV[i * d + j] += dz[i] * f.h[ht + j];
                }
                for (int j = 0; j < d; j++) {
                    double dh = dhNext[j];
                    for (int i = 0; i < k; i++) dh += V[i * d + j] * dz[i];
                    double hj = f.h[ht + j];
                    dpre[j] = dh * (1 - hj * hj);
                }
                java.util.Arrays.fill(dhNext, 0);
                for (int i = 0; i < d; i++) {
                    da[i] += dpre[i];
                    for (int j = 0; j < n; j++) {
                        dU[i * n + j] += dpre[i] * x[xt + j];
                        dx[xt + j] += U[i * n + j] * dpre[i];
                    }
                    for (int j = 0; j < d; j++) {
                        dW[i * d + j] += dpre[i] * prev[j];
                        dhNext[j] += W[i * d + j] * dpre[i];
                    }
                }
            }
            System.arraycopy(dhNext, 0, dh0, s * d, d);
        }
        return new Gradients(total / B, f, dU, dW, da, dV, db, dh0, dx);
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

    private double[] initialState(float[] h0, int s) {
        double[] h = new double[d];
        if (h0 != null) for (int i = 0; i < d; i++) h[i] = h0[s * d + i];
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
