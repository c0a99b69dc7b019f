/**
 * <b>Internal, not API:</b> the training tasks of {@code vecrnn train}: the bundled data sets (in
 * {@code vecrnn-cli.jar} only) and the user's CSV and safetensors files. May change in any release.
 */
package org.vecrnn.train.data;
