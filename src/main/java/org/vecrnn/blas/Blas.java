package org.vecrnn.blas;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Chooses the {@link Sgemm} once and logs one line saying which and why (at DEBUG; a warning when vecrnn runs
 * slower than it could: OpenBLAS not found, or the environment keeping OpenBLAS off this CPU's best kernels).
 * Lookup order:
 * <ol>
 *   <li>the path in system property {@value #PROPERTY}, else in environment variable {@value #ENV};</li>
 *   <li>the system's {@code libopenblas.so.0};</li>
 *   <li>the pure-Java {@link VectorSgemm} (the {@link ScalarSgemm} when the Vector API module is absent).</li>
 * </ol>
 * {@code -Dvecrnn.openblas=none} skips OpenBLAS (tests and benchmarks use it to force the Java path).
 * OpenBLAS runs {@value #THREADS_PROPERTY} threads (default 1: the CLI promises one thread unless told
 * otherwise, and a pool that spins on a shared 2-core machine hurts everyone else).
 */
public final class Blas {
    public static final String PROPERTY = "vecrnn.openblas";
    public static final String ENV = "VECRNN_OPENBLAS";
    public static final String THREADS_PROPERTY = "vecrnn.openblas.threads";
    public static final String SYSTEM_LIBRARY = "libopenblas.so.0";

    private static final System.Logger LOG = System.getLogger(Blas.class.getName());
    private static volatile Sgemm chosen;
    private static volatile OpenBlas openBlas;

    private Blas() {}

    /** The GEMM every fast path uses, chosen on first use. */
    public static Sgemm get() {
        Sgemm s = chosen;
        if (s == null) {
            synchronized (Blas.class) {
                if (chosen == null) chosen = choose();
                s = chosen;
            }
        }
        return s;
    }

    /** The OpenBLAS binding when {@link #get()} chose it. */
    public static Optional<OpenBlas> openBlas() {
        get();
        return Optional.ofNullable(openBlas);
    }

    /** OpenBLAS threads (process-wide); a no-op on the Java GEMM, which runs on the calling thread. */
    public static void setThreads(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        openBlas().ifPresent(o -> o.setThreads(threads));
    }

    /** The Java GEMM: Vector API when the module is there, scalar otherwise. */
    public static Sgemm java() {
        try {
            return new VectorSgemm();
        } catch (LinkageError e) {
            return new ScalarSgemm();
        }
    }

    private static Sgemm choose() {
        List<String> tried = new ArrayList<>();
        String explicit = System.getProperty(PROPERTY);
        String source = "-D" + PROPERTY;
        if (explicit == null || explicit.isBlank()) {
            explicit = System.getenv(ENV);
            source = ENV;
        }
        boolean skip = "none".equals(explicit);
        List<String> candidates = new ArrayList<>();
        if (!skip && explicit != null && !explicit.isBlank()) candidates.add(explicit);
        if (!skip) candidates.add(SYSTEM_LIBRARY);
        for (String lib : candidates) {
            try {
                OpenBlas o = OpenBlas.load(lib);
                o.setThreads(threads());
                openBlas = o;
                LOG.log(System.Logger.Level.DEBUG, "vecrnn: blas: " + o.describe() + "; " + CoreType.ensure()
                        + (tried.isEmpty() ? "" : "; not loaded: " + String.join("; ", tried)));
                CoreType.slowerPath(o.coreName()).forEach(w -> LOG.log(System.Logger.Level.WARNING, "vecrnn: " + w));
                return o;
            } catch (RuntimeException | LinkageError e) {
                tried.add(lib + (lib.equals(explicit) ? " (from " + source + ")" : "") + ": " + e.getMessage());
            }
        }
        Sgemm j = java();
        if (skip) {
            LOG.log(System.Logger.Level.DEBUG, "vecrnn: blas: " + j.describe() + " (OpenBLAS skipped: " + source + "=none)");
        } else {
            // a person can act on this one: training and batches run several times faster on OpenBLAS
            LOG.log(System.Logger.Level.INFO, "vecrnn: OpenBLAS not found, so training and batches use " + j.describe()
                    + "; install it (Debian/Ubuntu: apt-get install libopenblas0-pthread) or name it with -D" + PROPERTY
                    + "=PATH. Not loaded: " + String.join("; ", tried));
        }
        return j;
    }

    private static int threads() {
        String t = System.getProperty(THREADS_PROPERTY, "1");
        try {
            int n = Integer.parseInt(t.trim());
            if (n >= 1) return n;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("-D" + THREADS_PROPERTY + "=" + t + " is not a positive thread count");
    }
}
