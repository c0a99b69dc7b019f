package org.vecrnn.io;

import org.vecrnn.VecrnnException;

/**
 * Numbers in text files and on stdin: decimal or scientific notation only ({@code 12}, {@code -0.5},
 * {@code .25}, {@code 1e-3}, {@code 2.5E+4}). Java's own parser also takes {@code 1f}, {@code 2d},
 * {@code 0x1p3}, {@code NaN}, {@code Infinity} and surrounding spaces; those are refused here, so that what
 * the documentation says is what is read.
 *
 * <p><b>Internal, not API:</b> public for vecrnn's own packages, left out of the published javadoc; it may
 * change in any release.
 */
public final class Numbers {
    private Numbers() {}

    /** The value of a decimal or scientific number, or NumberFormatException (finite-ness is the caller's check). */
    public static float parseFloat(String s) {
        if (!isDecimal(s)) throw new NumberFormatException("not a decimal number: " + s);
        return Float.parseFloat(s);
    }

    /**
     * Fills x from a line of x.length numbers separated by spaces or commas (a {@code stream} line, a Kafka text
     * value); returns null, or what is wrong with the line (one line, bad tokens shortened and escaped).
     */
    public static String parseVector(String text, float[] x) {
        String[] parts = text.trim().split("[\\s,]+");
        if (parts.length != x.length)
            return "expected " + x.length + " numbers, found " + parts.length;
        for (int i = 0; i < parts.length; i++) {
            float v;
            try {
                v = parseFloat(parts[i]);
            } catch (NumberFormatException e) {
                return "value " + (i + 1) + " is not a number in decimal or scientific notation: '" + shorten(parts[i]) + "'";
            }
            if (!Float.isFinite(v)) return "value " + (i + 1) + " is not finite: '" + shorten(parts[i]) + "'";
            x[i] = v;
        }
        return null;
    }

    /** At most 40 characters of a bad token, control characters escaped (it goes to a terminal or a header). */
    private static String shorten(String s) {
        return VecrnnException.oneLine(s.length() <= 40 ? s : s.substring(0, 40) + "...");
    }

    /** [+-] digits [. digits] [e [+-] digits], with at least one digit before the exponent. */
    public static boolean isDecimal(String s) {
        int i = 0, n = s.length();
        if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) i++;
        int digits = 0;
        while (i < n && isDigit(s.charAt(i))) { i++; digits++; }
        if (i < n && s.charAt(i) == '.') {
            i++;
            while (i < n && isDigit(s.charAt(i))) { i++; digits++; }
        }
        if (digits == 0) return false;
        if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            i++;
            if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) i++;
            int exp = 0;
            while (i < n && isDigit(s.charAt(i))) { i++; exp++; }
            if (exp == 0) return false;
        }
        return i == n;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
