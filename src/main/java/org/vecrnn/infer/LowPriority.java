package org.vecrnn.infer;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Locale;

/**
 * Lowers the warm-up thread's CPU priority to nice 19, so that it runs on the time the caller's threads leave.
 * After load returns, the caller's first steps share the cores with the warm-up thread and the JIT's compiler
 * threads; on 2 cores that is three or four runnable threads on two, and the scheduler preempts the caller now
 * and then. At nice 19 the warm-up weighs 15 against a caller's 1024 in Linux's fair scheduler: it still runs
 * when a core is free, and gets a sliver when none is. On a 2-core AMD EPYC Zen 4 (d = 256, 8 fresh JVMs each)
 * the p99 of the first 1,000 steps went from 9.4-24.6 µs to 8.3-13.0 µs (fp32) and from 9.7-24.4 µs to
 * 7.6-17.5 µs (int8). Java's {@code Thread.setPriority} does nothing on Linux without root and a JVM flag, so
 * this calls libc's {@code setpriority}; Linux keeps the nice value per thread, and who = 0 names the calling
 * thread. Elsewhere (or without native access for vecrnn) the thread keeps its priority. A thread cannot
 * raise its priority again without privileges, so only a thread that ends calls this.
 */
final class LowPriority {
    private LowPriority() {}

    /** The nice value of the warm-up: the lowest. */
    static final int NICE = 19;
    private static final int PRIO_PROCESS = 0;
    private static final System.Logger LOG = System.getLogger(LowPriority.class.getName());
    /** setpriority(int which, id_t who, int prio), or null where this class does not lower priorities. */
    private static final MethodHandle SET_PRIORITY = link();

    private static MethodHandle link() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (!os.startsWith("linux")) return null;
        // without native access the call would print the JDK's warning (or, in a later JDK, fail): not for this
        if (!LowPriority.class.getModule().isNativeAccessEnabled()) return null;
        try {
            Linker linker = Linker.nativeLinker();
            return linker.downcallHandle(linker.defaultLookup().find("setpriority").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "vecrnn: cannot link setpriority (" + e + "); the warm-up runs at normal priority");
            return null;
        }
    }

    /**
     * Links the call now, on the loading thread, and calls it once with an invalid {@code which} (EINVAL, no
     * thread changed): linking and the first call spin method handles for milliseconds, which the warm-up thread
     * would otherwise spend at full priority beside the caller.
     */
    static void prepare() {
        if (SET_PRIORITY == null) return;
        try {
            int rc = (int) SET_PRIORITY.invokeExact(-1, 0, NICE);
            if (rc != -1) LOG.log(System.Logger.Level.DEBUG, "vecrnn: setpriority accepted which = -1");
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.DEBUG, () -> "vecrnn: setpriority failed when prepared (" + t + ")");
        }
    }

    /** Lowers the calling thread to nice {@value #NICE}; returns whether it did. */
    static boolean lowerCurrentThread() {
        if (SET_PRIORITY == null) return false;
        try {
            int rc = (int) SET_PRIORITY.invokeExact(PRIO_PROCESS, 0, NICE);
            if (rc == 0) return true;
            LOG.log(System.Logger.Level.DEBUG, "vecrnn: setpriority refused nice " + NICE + "; the warm-up runs at normal priority");
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.DEBUG, () -> "vecrnn: setpriority failed (" + t + "); the warm-up runs at normal priority");
        }
        return false;
    }
}
