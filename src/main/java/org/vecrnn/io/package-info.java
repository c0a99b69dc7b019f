/**
 * Model and tensor files: {@link org.vecrnn.io.ModelFile} reads and checks a model,
 * {@link org.vecrnn.io.SafeTensors} reads a safetensors file (every header field validated, then its data block read, not mapped),
 * {@link org.vecrnn.io.SafeTensorsWriter} writes one atomically. A malformed file is refused with a
 * {@link org.vecrnn.VecrnnException} that names the file and the problem.
 */
package org.vecrnn.io;
