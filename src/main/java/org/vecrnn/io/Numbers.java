package org.vecrnn.io;

/**
 * Numbers in text files and on stdin: decimal or scientific notation only ({@code 12}, {@code -0.5},
 * {@code .25}, {@code 1e-3}, {@code 2.5E+4}). Java's own parser also takes {@code 1f}, {@code 2d},
 * {@code 0x1p3}, {@code NaN}, {@code Infinity} and surrounding spaces; those are refused here, so that what
 * the documentation says is what is read.
 */
public final class Numbers {
    private Numbers() {}

    /** The value of a decimal or scientific number, or NumberFormatException (finite-ness is the caller's check). */
    public static float parseFloat(String s) {
        if (!isDecimal(s)) throw new NumberFormatException("not a decimal number: " + s);
        return Float.parseFloat(s);
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
