/**
 * Inference, the API a service uses: {@link org.vecrnn.infer.InferenceModel} loads a model file (fp32, int8,
 * a PyTorch state dict) once and is shared by every thread; a {@link org.vecrnn.infer.StreamState} carries
 * one stream's hidden state, one time step at a time, with no allocation per step. Whole batches of known
 * sequences run as matrix products through {@code InferenceModel.forward}.
 *
 * <p>Run the JVM with {@code --add-modules jdk.incubator.vector} (the Vector API kernels; without it vecrnn
 * logs a warning and runs its scalar reference, several times slower) and
 * {@code --enable-native-access=ALL-UNNAMED} (OpenBLAS through {@code java.lang.foreign}; without it the JDK
 * prints a warning on first use).
 */
package org.vecrnn.infer;
