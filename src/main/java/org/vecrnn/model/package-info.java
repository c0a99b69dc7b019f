/**
 * The Elman network in the names of its equations: {@link org.vecrnn.model.ElmanRnn} holds U, W, a, V and b,
 * {@link org.vecrnn.model.Output} the output function g; losses and topologies for training.
 */
package org.vecrnn.model;
