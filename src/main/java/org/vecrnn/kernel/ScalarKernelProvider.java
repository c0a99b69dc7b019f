package org.vecrnn.kernel;

import org.vecrnn.model.ElmanRnn;

final class ScalarKernelProvider implements KernelProvider {
    @Override
    public StepKernel stepKernel(ElmanRnn model) {
        return new ScalarStepKernel(model);
    }

    @Override
    public BatchKernel batchKernel(ElmanRnn model) {
        return new ScalarBatchKernel(model);
    }

    @Override
    public Activation activation(org.vecrnn.model.Output g) {
        return Activation.scalar(g);
    }

    @Override
    public boolean allFinite(float[] v, int off, int len) {
        return finite(v, off, len);
    }

    static boolean finite(float[] v, int off, int len) {
        for (int i = 0; i < len; i++) if (!Float.isFinite(v[off + i])) return false;
        return true;
    }

    @Override
    public String name() {
        return "scalar";
    }
}
