package org.vecrnn;

import java.io.IOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Whether the JIT was quiet over a stretch of time ({@link #begin} to {@link #quiet}): its compiler threads ran
 * for under 10 % of it. A warm-up that times blocks of work needs that before it calls two agreeing blocks
 * steady. The JDK's compilation time is not enough: it grows when a compilation ends, and a C2 compilation of a
 * large loop runs for tens of milliseconds, during which two blocks of the not-yet-compiled code agree; so do two
 * blocks of C1 code while C2 works through a queue of other methods. Nor is "no compilation finished": the check
 * itself (reading /proc) has C1 compile a few small JDK methods now and then, for well under a millisecond each,
 * and with that test a warm-up of 2 threads waited 4-9 s for half a second without one. The JDK hides its
 * compiler threads from Java; on Linux their run time is in /proc/self/task/TID/schedstat (ns), under the names
 * "C1 CompilerThre" and "C2 CompilerThre". Elsewhere no finished compilation decides.
 *
 * <p><b>Internal, not API:</b> public for vecrnn's own packages (the load's warm-up and {@code vecrnn bench}),
 * left out of the published javadoc; it may change in any release. Not thread-safe: one per warm-up.
 */
public final class JitActivity {
    /**
     * Calls of each hot method before a warm-up may call code steady: twice HotSpot's Tier4InvocationThreshold
     * (5,000), so that every method the warmed code runs has been called often enough for C2. Neither a quiet JIT
     * nor two agreeing blocks show that: C1 code runs the Vector API boxed (0.4-0.7 ms an int8 step at d = 256
     * instead of 1.9 µs), reaches C2's thresholds slowly, and C2 is idle meanwhile. With those two tests alone, 2
     * runs of 20 of {@code vecrnn bench --workload streams --int8} timed the single step in C1 code (395 and
     * 733 µs), and load's warm-up handed a model over to its Vector API kernels after 1,500-3,600 steps.
     */
    public static final long C2_CALLS = 10_000;

    private final CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    private final boolean timed = jit != null && jit.isCompilationTimeMonitoringSupported();
    /** The schedstat files of the compiler threads, found again every {@value #RESCAN_NS} ns (HotSpot may start more). */
    private List<Path> compilers = List.of();
    private long scanned = Long.MIN_VALUE / 2, compileMs, compilerNs, wall;
    private static final long RESCAN_NS = 100_000_000L;

    /** Starts a stretch. */
    public void begin() {
        compileMs = timed ? jit.getTotalCompilationTime() : 0;
        compilerNs = compilerNanos();
        wall = System.nanoTime();
    }

    /** {@return whether the JIT was quiet since {@link #begin}} */
    public boolean quiet() {
        long ran = compilerNanos();
        if (ran >= 0 && compilerNs >= 0) return ran - compilerNs < 0.1 * (System.nanoTime() - wall);
        return !timed || jit.getTotalCompilationTime() == compileMs;
    }

    /**
     * Waits (2 ms sleeps) until a stretch of 2 ms was quiet, at most 500 ms, until {@code deadline}
     * (System.nanoTime), or until {@code stop} says so.
     *
     * @param deadline when to give up waiting at the latest
     * @param stop polled between sleeps
     */
    public void awaitQuiet(long deadline, BooleanSupplier stop) {
        long until = Math.min(deadline, System.nanoTime() + 500_000_000L);
        begin();
        while (System.nanoTime() < until && !stop.getAsBoolean()) {
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (quiet()) return;
            begin();
        }
    }

    /** The compiler threads' run time so far, ns, or -1 where /proc does not give it. */
    private long compilerNanos() {
        if (System.nanoTime() - scanned > RESCAN_NS) scan();
        long sum = 0;
        for (Path p : compilers) {
            try {
                String s = Files.readString(p);
                sum += Long.parseLong(s.substring(0, s.indexOf(' ')));
            } catch (IOException | RuntimeException e) {
                scanned = Long.MIN_VALUE / 2; // a thread ended: look again next time
            }
        }
        return compilers.isEmpty() ? -1 : sum;
    }

    private void scan() {
        scanned = System.nanoTime();
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path t : tasks) {
                try {
                    if (Files.readString(t.resolve("comm")).contains("CompilerThre")) found.add(t.resolve("schedstat"));
                } catch (IOException | RuntimeException e) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or /proc is not there: the compilation time alone decides
        }
        compilers = found;
    }
}
