package org.vecrnn.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;

/** Seeded mutations of a valid input: bit flips, truncation, byte splices and, for text, token rewrites. */
final class Mutator {
    static final String[] HUGE = {"9223372036854775807", "9223372036854775808", "18446744073709551615", "4294967296",
            "2147483648", "-1", "-9223372036854775808", "1e30", "0", "1.5", "99999999999999999999999999"};
    static final String[] WORDS = {"\"F32\"", "\"F64\"", "\"I8\"", "\"BF16\"", "\"U8\"", "\"\"", "null", "true", "[]", "{}",
            "[[1]]", "\"x\"", "\"shape\"", "\"data_offsets\"", "\"dtype\"", "\"__metadata__\"", "{\"a\":{}}", "[0,0]"};

    private Mutator() {}

    /** The i-th mutation of {@code valid} under {@code seed}: cycles through the kinds so each gets its share. */
    static byte[] mutate(byte[] valid, long seed, int i) {
        SplittableRandom r = new SplittableRandom(seed * 1_000_003L + i);
        return switch (i % 6) {
            case 0 -> flipBits(valid, r);
            case 1 -> Arrays.copyOf(valid, i / 6 % (valid.length + 1)); // every length in turn
            case 2 -> replaceNumber(valid, r);
            case 3 -> replaceToken(valid, r);
            case 4 -> splice(valid, r);
            default -> flipBits(replaceNumber(valid, r), r);
        };
    }

    static byte[] flipBits(byte[] v, SplittableRandom r) {
        byte[] out = v.clone();
        int flips = 1 + r.nextInt(8);
        for (int f = 0; f < flips && out.length > 0; f++) {
            // most of the structure is near the start (header, first lines): aim half the flips there
            int at = r.nextBoolean() ? r.nextInt(Math.min(out.length, 256)) : r.nextInt(out.length);
            out[at] ^= (byte) (1 << r.nextInt(8));
        }
        return out;
    }

    /** Replaces one run of digits (as text) with a huge, negative or fractional number. */
    static byte[] replaceNumber(byte[] v, SplittableRandom r) {
        String s = new String(v, StandardCharsets.ISO_8859_1);
        int start = findDigitRun(s, r);
        if (start < 0) return flipBits(v, r);
        int end = start;
        while (end < s.length() && Character.isDigit(s.charAt(end))) end++;
        return patch(s, start, end, HUGE[r.nextInt(HUGE.length)]);
    }

    /** Replaces one quoted string or bracketed token with another JSON token. */
    static byte[] replaceToken(byte[] v, SplittableRandom r) {
        String s = new String(v, StandardCharsets.ISO_8859_1);
        int limit = Math.min(s.length(), 4096);
        for (int tries = 0; tries < 20 && limit > 0; tries++) {
            int at = r.nextInt(limit);
            int q = s.indexOf('"', at);
            if (q < 0 || q >= limit) continue;
            int e = s.indexOf('"', q + 1);
            if (e < 0 || e >= limit) continue;
            return patch(s, q, e + 1, WORDS[r.nextInt(WORDS.length)]);
        }
        return flipBits(v, r);
    }

    /** Copies a random slice of the input over another place (duplicates keys, breaks nesting, lies about lengths). */
    static byte[] splice(byte[] v, SplittableRandom r) {
        if (v.length < 2) return v.clone();
        byte[] out = v.clone();
        int from = r.nextInt(v.length), to = r.nextInt(v.length);
        int len = Math.min(1 + r.nextInt(32), Math.min(v.length - from, v.length - to));
        System.arraycopy(v, from, out, to, len);
        return out;
    }

    private static int findDigitRun(String s, SplittableRandom r) {
        int limit = Math.min(s.length(), 4096);
        if (limit == 0) return -1;
        for (int tries = 0; tries < 40; tries++) {
            int at = r.nextInt(limit);
            if (Character.isDigit(s.charAt(at))) {
                while (at > 0 && Character.isDigit(s.charAt(at - 1))) at--;
                return at;
            }
        }
        return -1;
    }

    private static byte[] patch(String s, int start, int end, String with) {
        return (s.substring(0, start) + with + s.substring(end)).getBytes(StandardCharsets.ISO_8859_1);
    }
}
