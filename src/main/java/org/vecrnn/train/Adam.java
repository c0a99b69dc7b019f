package org.vecrnn.train;

import org.vecrnn.model.Parameters;

/**
 * Adam (Kingma and Ba), as torch.optim.Adam computes it: m = β1 m + (1-β1) g, v = β2 v + (1-β2) g²,
 * θ -= lr · m/(1-β1^t) / (sqrt(v/(1-β2^t)) + ε).
 */
final class Adam implements Optimizer {
    private final float beta1, beta2, eps;
    private final Parameters m, v;
    private long steps;

    /** Moments of {@code zeros}' shape; takes {@code zeros} as m. */
    Adam(Parameters zeros, float beta1, float beta2, float eps) {
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.m = zeros;
        this.v = zeros.copy();
    }

    @Override
    public void step(Parameters params, Parameters grads, float lr) {
        steps++;
        double c1 = 1 - Math.pow(beta1, steps), c2 = 1 - Math.pow(beta2, steps);
        float stepSize = (float) (lr / c1), invSqrtC2 = (float) (1 / Math.sqrt(c2));
        float[][] p = params.all(), g = grads.all(), ms = m.all(), vs = v.all();
        for (int j = 0; j < p.length; j++) {
            float[] pj = p[j], gj = g[j], mj = ms[j], vj = vs[j];
            if (gj.length != pj.length) throw new IllegalArgumentException("gradient shape differs from the parameters'");
            for (int i = 0; i < pj.length; i++) {
                float gi = gj[i];
                float mi = beta1 * mj[i] + (1 - beta1) * gi;
                float vi = beta2 * vj[i] + (1 - beta2) * gi * gi;
                mj[i] = mi;
                vj[i] = vi;
                pj[i] -= stepSize * mi / ((float) Math.sqrt(vi) * invSqrtC2 + eps);
            }
        }
    }

    @Override
    public Kind kind() { return Kind.ADAM; }

    @Override
    public Parameters[] state() { return new Parameters[] {m, v}; }

    @Override
    public String[] stateNames() { return new String[] {"m", "v"}; }

    @Override
    public long steps() { return steps; }

    @Override
    public void steps(long s) { steps = s; }
}
