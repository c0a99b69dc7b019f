package org.vecrnn.kernel;

import org.vecrnn.model.ElmanRnn;

/** Instantiated by name from {@link Kernels} only when jdk.incubator.vector is in the boot layer. */
final class VectorKernelProvider implements KernelProvider {
    VectorKernelProvider() {
        // fails here, inside the chooser's try, if the width property is bad or the module is unusable
        VectorStepKernel.S.length();
    }

    @Override
    public StepKernel stepKernel(ElmanRnn model) {
        return new VectorStepKernel(model);
    }

    @Override
    public BatchKernel batchKernel(ElmanRnn model) {
        return new VectorBatchKernel(model);
    }

    @Override
    public Activation activation(org.vecrnn.model.Output g) {
        return g == org.vecrnn.model.Output.SIGMOID ? VectorTanh::sigmoid : Activation.scalar(g);
    }

    @Override
    public boolean allFinite(float[] v, int off, int len) {
        return VectorFinite.all(v, off, len);
    }

    @Override
    public String name() {
        return "Vector API " + VectorStepKernel.S.vectorBitSize() + "-bit";
    }
}
