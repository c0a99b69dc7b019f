package org.vecrnn.train;

import org.vecrnn.model.Parameters;

/** SGD with (heavy-ball) momentum as PyTorch defines it: v = μ v + g; θ -= lr v. μ = 0 is plain SGD. */
final class Sgd implements Optimizer {
    private final float momentum;
    private final Parameters velocity;
    private long steps;

    /** A velocity of {@code zeros}' shape; takes {@code zeros} as it. */
    Sgd(Parameters zeros, float momentum) {
        if (!(momentum >= 0 && momentum < 1)) throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
        this.momentum = momentum;
        this.velocity = zeros;
    }

    @Override
    public void step(Parameters params, Parameters grads, float lr) {
        float[][] p = params.all(), g = grads.all(), v = velocity.all();
        for (int j = 0; j < p.length; j++) {
            float[] pj = p[j], gj = g[j], vj = v[j];
            if (gj.length != pj.length) throw new IllegalArgumentException("gradient shape differs from the parameters'");
            for (int i = 0; i < pj.length; i++) {
                float vi = momentum * vj[i] + gj[i];
                vj[i] = vi;
                pj[i] -= lr * vi;
            }
        }
        steps++;
    }

    @Override
    public Kind kind() { return Kind.SGD; }

    @Override
    public Parameters[] state() { return new Parameters[] {velocity}; }

    @Override
    public String[] stateNames() { return new String[] {"velocity"}; }

    @Override
    public long steps() { return steps; }

    @Override
    public void steps(long s) { steps = s; }
}
