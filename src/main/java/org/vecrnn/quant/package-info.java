/**
 * int8 weights: {@link org.vecrnn.quant.Quantizer} turns an fp32 model into a
 * {@link org.vecrnn.quant.QuantizedRnn} under an {@link org.vecrnn.quant.Int8Scheme} (one scale per row, or per
 * block of 32), and {@link org.vecrnn.quant.ErrorReport} measures what that costs against the fp32 model.
 */
package org.vecrnn.quant;
