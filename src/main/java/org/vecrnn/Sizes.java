package org.vecrnn;

/**
 * Sizes from outside (an option, a file) checked before anything is allocated, in 64-bit arithmetic:
 * a count of floats must fit one Java array and this JVM's largest heap. The answer is a reason to refuse
 * (the caller names the option or file), so a too-large size is a clear error, never a
 * NegativeArraySizeException, an OutOfMemoryError or a negative number in a message.
 *
 * <p><b>Internal, not API:</b> public for vecrnn's own packages, left out of the published javadoc; it may
 * change in any release.
 */
public final class Sizes {
    private Sizes() {}

    /** The most elements of one Java array (a few short of 2^31 - 1: the JVM keeps a header in it). */
    public static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    /**
     * {@return their product, or Long.MAX_VALUE when one is negative or the product overflows 64 bits}
     *
     * @param factors sizes from outside
     */
    public static long product(long... factors) {
        long p = 1;
        for (long f : factors) {
            if (f < 0) return Long.MAX_VALUE;
            try {
                p = Math.multiplyExact(p, f);
            } catch (ArithmeticException e) {
                return Long.MAX_VALUE;
            }
        }
        return p;
    }

    /**
     * {@return why they cannot be allocated here (for the caller's message), or null when they can}
     *
     * @param count floats wanted in one array
     */
    public static String floatsProblem(long count) {
        if (count > MAX_ARRAY)
            return (count == Long.MAX_VALUE ? "more than 2^63" : Long.toString(count)) + " values, more than one Java array holds (" + MAX_ARRAY + ")";
        long bytes = count * Float.BYTES, max = Runtime.getRuntime().maxMemory();
        if (bytes > max) return count + " values (" + bytes + " bytes), more than this JVM's largest heap (" + max + " bytes; raise it with -Xmx)";
        return null;
    }
}
