package org.vecrnn.infer;

import org.vecrnn.VecrnnException;

/**
 * A step from finite inputs would have made the hidden state or the output non-finite (NaN or infinity):
 * the model's weights are so large that a sum overflows (e.g. weights near 3e38), or an unbounded
 * nonlinearity grew past the float range. The stream's state is left as it was before the step and nothing
 * is written to the output, so the caller may skip the input, {@code reset()} the stream, or stop; the CLI
 * reports it (exit 1 in {@code forward}, one error line per input in {@code stream}).
 */
public final class NonFiniteStateException extends VecrnnException {
    /**
     * A refused step.
     *
     * @param message one line: which step and which value became non-finite
     */
    public NonFiniteStateException(String message) {
        super(message);
    }
}
