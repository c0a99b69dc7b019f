/**
 * <b>Internal, not API:</b> single-precision GEMM, on OpenBLAS through {@code java.lang.foreign} when it is found
 * ({@code -Dvecrnn.openblas=PATH|none}), else in Java. Used by training and batched inference; may change in
 * any release.
 */
package org.vecrnn.blas;
