package org.vecrnn.infer;

import java.util.List;
import org.vecrnn.kernel.StepKernel;
import org.vecrnn.model.Output;

/**
 * The kernel-level side of {@link InferenceModel} for tests in other packages: kernels are internal, so the
 * model's constructor from a kernel and its kernel accessors are package-private.
 */
public final class KernelModels {
    private KernelModels() {}

    /** A model that steps through {@code kernel} (an int8 one, a scalar reference, a test's own). */
    public static InferenceModel of(StepKernel kernel, Output g) {
        return new InferenceModel(kernel, g);
    }

    /** The model's first layer's kernel. */
    public static StepKernel stepKernel(InferenceModel model) {
        return model.stepKernel();
    }

    /** Every layer's kernel, from the first. */
    public static List<StepKernel> stepKernels(InferenceModel model) {
        return model.stepKernels();
    }
}
