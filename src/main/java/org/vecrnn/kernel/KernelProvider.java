package org.vecrnn.kernel;

import org.vecrnn.model.ElmanRnn;

/**
 * Makes the kernels of one implementation family (scalar or Vector API). Chosen once per JVM by
 * {@link Kernels}; the Vector API family is loaded by name so that its classes, which link against
 * {@code jdk.incubator.vector}, are never touched when that module is absent.
 */
interface KernelProvider {
    StepKernel stepKernel(ElmanRnn model);

    BatchKernel batchKernel(ElmanRnn model);

    Activation activation(org.vecrnn.model.Output g);

    /** Whether v[off, off + len) holds only finite values (no NaN, no infinity). */
    boolean allFinite(float[] v, int off, int len);

    /** For the start-up line, e.g. "Vector API, 512-bit". */
    String name();
}
