package org.vecrnn.io;

import org.vecrnn.VecrnnException;

/** An output that is the same file as an input of the same command: a usage error (exit 2 on the command line). */
public final class SameFileException extends VecrnnException {
    public SameFileException(String message) {
        super(message);
    }
}
