package org.vecrnn;

/**
 * Bad input or data: a file, an argument or an array that vecrnn refuses. The message is one line that
 * names the thing (a file path where there is one) and the problem; the CLI prints it as it is and exits 1.
 */
public class VecrnnException extends RuntimeException {
    /** Names quoted from a file can be anything; a message stays one readable line of bounded length. */
    static final int MAX_MESSAGE = 2000;

    /**
     * A refusal with its reason.
     *
     * @param message what is wrong, naming the file or argument; made one line of bounded length
     */
    public VecrnnException(String message) {
        super(oneLine(message));
    }

    /**
     * A refusal with its reason and the exception that revealed the problem.
     *
     * @param message what is wrong, naming the file or argument; made one line of bounded length
     * @param cause the exception that revealed it, such as an {@code IOException}
     */
    public VecrnnException(String message, Throwable cause) {
        super(oneLine(message), cause);
    }

    /**
     * {@return m with control characters escaped (a word or tensor name may hold a newline) and its length capped}
     *
     * @param m any text, e.g. a message quoting a name from a file
     */
    public static String oneLine(String m) {
        if (m == null) return null;
        StringBuilder sb = new StringBuilder(Math.min(m.length(), MAX_MESSAGE + 16));
        for (int i = 0; i < m.length() && sb.length() < MAX_MESSAGE; i++) {
            char c = m.charAt(i);
            if (c == '\n') sb.append("\\n");
            else if (c == '\r') sb.append("\\r");
            else if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') sb.append(String.format("\\u%04x", (int) c));
            else sb.append(c);
        }
        if (sb.length() >= MAX_MESSAGE) sb.append("...");
        return sb.toString();
    }

    /**
     * {@return an exception whose message is "FILE: problem"}
     *
     * @param file the file (a Path or its name)
     * @param problem what is wrong with it
     */
    public static VecrnnException inFile(Object file, String problem) {
        return new VecrnnException(file + ": " + problem);
    }
}
