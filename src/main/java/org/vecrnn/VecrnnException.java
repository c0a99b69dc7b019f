package org.vecrnn;

/**
 * Bad input or data: a file, an argument or an array that vecrnn refuses. The message is one line that
 * names the thing (a file path where there is one) and the problem; the CLI prints it as it is and exits 1.
 */
public class VecrnnException extends RuntimeException {
    public VecrnnException(String message) {
        super(message);
    }

    public VecrnnException(String message, Throwable cause) {
        super(message, cause);
    }

    /** A problem with one file: "FILE: problem". */
    public static VecrnnException inFile(Object file, String problem) {
        return new VecrnnException(file + ": " + problem);
    }
}
