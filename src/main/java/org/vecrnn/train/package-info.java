/**
 * <b>Internal, not API:</b> training (batched backpropagation through time, the double-precision reference,
 * optimizers, checkpoints) as the {@code vecrnn train} command runs it. Train with the command line and load
 * the model file it writes; this package may change in any release.
 */
package org.vecrnn.train;
