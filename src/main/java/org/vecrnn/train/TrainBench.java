package org.vecrnn.train;

import java.util.Arrays;
import java.util.Random;
import org.vecrnn.blas.Sgemm;
import org.vecrnn.kernel.SegmentOps;
import org.vecrnn.model.Loss;
import org.vecrnn.model.Nonlinearity;
import org.vecrnn.model.Output;
import org.vecrnn.model.Parameters;
import org.vecrnn.model.Topology;

/**
 * The "train" workload of {@code vecrnn bench}: one training step on a batch of B sequences of T steps
 * (forward, backward, and an SGD update including the copies a real trainer does), many-to-many, identity
 * output, MSE, on a model of {@code layers} layers of d units with nonlinearity f, from given weights. The
 * workload PyTorch is compared on is B=64, T=50, n=128, d=256, k=16, one tanh layer.
 */
public final class TrainBench implements AutoCloseable {
    public final int B, T, n, d, k, layers;
    private final ParamBuffers params, grads;
    private final Parameters theta, grad;
    private final Optimizer sgd;
    private final Batch batch;
    private final BatchedBptt bptt;

    /** One tanh layer from the trainer's initialisation (seed 42). */
    public TrainBench(Sgemm gemm, SegmentOps ops, int B, int T, int n, int d, int k) {
        this(gemm, ops, B, T, n, k, Trainer.init(n, d, k, 42), Nonlinearity.TANH);
    }

    /** Training steps that start from {@code theta} (a random model's, or a file's with {@code bench --model}). */
    public TrainBench(Sgemm gemm, SegmentOps ops, int B, int T, int n, int k, Parameters theta, Nonlinearity f) {
        int d = theta.a().length, layers = theta.layers();
        this.B = B;
        this.T = T;
        this.n = n;
        this.d = d;
        this.k = k;
        this.layers = layers;
        this.theta = theta.copy();
        grad = Parameters.zeros(n, d, k, layers);
        params = new ParamBuffers(n, d, k, layers);
        grads = new ParamBuffers(n, d, k, layers);
        sgd = Optimizer.create(Optimizer.Kind.SGD, n, d, k, layers, 0f);
        batch = new Batch(B, T, n, d, layers, k, Topology.MANY_TO_MANY);
        Random r = new Random(7);
        float[] x = new float[B * T * n], y = new float[B * T * k];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        for (int i = 0; i < y.length; i++) y[i] = (float) r.nextGaussian();
        batch.fill(x, y, null);
        bptt = new BatchedBptt(gemm, ops, n, d, k, layers, f, Output.IDENTITY);
    }

    /** One training step; returns the loss (so the work cannot be optimised away). */
    public double step() {
        params.set(theta);
        double L = bptt.lossAndGradients(params, batch, Loss.MSE, grads, null, null);
        grads.copyTo(grad);
        sgd.step(theta, grad, 1e-4f);
        return L;
    }

    /** Steps per second: warm-up, then the median of {@code rounds} rounds of about {@code seconds} each. */
    public double stepsPerSecond(int rounds, double seconds) {
        long until = System.nanoTime() + 1_000_000_000L;
        while (System.nanoTime() < until) step();
        double[] rates = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            long start = System.nanoTime(), steps = 0;
            long end = start + (long) (seconds * 1e9);
            long now;
            do {
                step();
                steps++;
            } while ((now = System.nanoTime()) < end);
            rates[r] = steps / ((now - start) / 1e9);
        }
        Arrays.sort(rates);
        return rates[rounds / 2];
    }

    public String describe() {
        return bptt.describe();
    }

    @Override
    public void close() {
        params.close();
        grads.close();
        batch.close();
        bptt.close();
    }
}
