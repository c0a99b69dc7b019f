/**
 * <b>Internal, not API:</b> the step kernels behind {@code StepKernel}, a scalar reference beside each Vector API
 * kernel, chosen once at start-up ({@code -Dvecrnn.kernel=scalar|vector}, {@code -Dvecrnn.vectorBits=256|512}
 * force them). With {@code blas.VectorSgemm}, the only code that imports {@code jdk.incubator.vector}. Used by
 * {@link org.vecrnn.infer}; may change in any release.
 */
package org.vecrnn.kernel;
