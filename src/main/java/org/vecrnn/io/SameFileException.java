package org.vecrnn.io;

import org.vecrnn.VecrnnException;

/**
 * An output that is the same file as an input of the same command: a usage error (exit 2 on the command line).
 *
 * <p><b>Internal, not API:</b> public for vecrnn's own packages, left out of the published javadoc; it may
 * change in any release.
 */
public final class SameFileException extends VecrnnException {
    /**
     * A refusal to overwrite an input.
     *
     * @param message names the output and the input it would overwrite
     */
    public SameFileException(String message) {
        super(message);
    }
}
