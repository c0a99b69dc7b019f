/**
 * vecrnn runs Elman recurrent neural networks on the JVM: Vector API kernels, OpenBLAS through
 * {@code java.lang.foreign}, int8 weights. A service starts at {@link org.vecrnn.infer.InferenceModel};
 * every refusal of bad input is a {@link org.vecrnn.VecrnnException} with a one-line message.
 */
package org.vecrnn;
