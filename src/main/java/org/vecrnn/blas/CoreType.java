package org.vecrnn.blas;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Debian's OpenBLAS 0.3.21 does not recognise recent AVX-512 CPUs and silently runs its SSE3 "Prescott"
 * kernels, about 5 times slower (512×512 sgemm on one thread: 33 against 152 GFLOP/s). It reads
 * {@code OPENBLAS_CORETYPE} once, in its load-time constructor, from the C environment. Java cannot change
 * its own environment map, but libc's {@code setenv} called through FFM before the {@code dlopen} changes
 * what that constructor sees; so this is done here, once, and only where the CPU has AVX-512 (SkylakeX
 * kernels would crash elsewhere) and the user has not set the variable (their value always wins: setenv is
 * called with overwrite = 0). The alternative, a launcher exporting the variable, would miss every
 * embedding application.
 *
 * <p>setenv is not thread-safe against a concurrent getenv in native code; it runs once, before OpenBLAS
 * exists, while vecrnn starts no native threads of its own.
 */
final class CoreType {
    static final String VAR = "OPENBLAS_CORETYPE";
    static final String L2_VAR = "OPENBLAS_L2_SIZE";
    /** OpenBLAS's core names (lower case) whose kernels use AVX-512. */
    private static final Set<String> AVX512_CORES = Set.of("skylakex", "cooperlake", "sapphirerapids");
    private static String outcome;

    private CoreType() {}

    /** Sets the variable when it should be, once; returns what happened, for the start-up log line. */
    static synchronized String ensure() {
        if (outcome == null) outcome = decide();
        return outcome;
    }

    private static String decide() {
        String user = System.getenv(VAR);
        if (user != null) return VAR + "=" + user + " (set by the user)";
        if (!hasAvx512()) return VAR + " left unset (no AVX-512 seen in /proc/cpuinfo)";
        try {
            Linker linker = Linker.nativeLinker();
            MethodHandle setenv = linker.downcallHandle(linker.defaultLookup().find("setenv").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
            try (Arena arena = Arena.ofConfined()) {
                int rc = (int) setenv.invokeExact(arena.allocateFrom(VAR), arena.allocateFrom("SkylakeX"), 0);
                if (rc != 0) return VAR + " not set (setenv failed)";
            }
            return VAR + "=SkylakeX set before loading (AVX-512 present)";
        } catch (Throwable t) {
            return VAR + " not set (" + t + ")";
        }
    }

    /**
     * Warnings for an environment that keeps OpenBLAS off the kernels this CPU runs best, for the log: a core
     * other than an AVX-512 one on a CPU with AVX-512 (say, {@code OPENBLAS_CORETYPE=Haswell} set by the user),
     * and an {@code OPENBLAS_L2_SIZE} that replaces the cache size OpenBLAS would detect. Silence would hide a
     * slower path, so these stay visible at the default log level.
     */
    static List<String> slowerPath(String coreName) {
        return slowerPath(coreName, hasAvx512(), System.getenv(VAR), System.getenv(L2_VAR));
    }

    /** {@link #slowerPath(String)} on given facts (null: variable unset), for tests. */
    static List<String> slowerPath(String coreName, boolean avx512, String user, String l2) {
        List<String> warnings = new ArrayList<>();
        if (avx512 && !AVX512_CORES.contains(coreName.toLowerCase(Locale.ROOT)))
            warnings.add("OpenBLAS runs its " + coreName + " kernels on this AVX-512 CPU, not its SkylakeX ones"
                    + (user != null ? ", because " + VAR + "=" + user + " is set; unset it to let vecrnn choose"
                                    : "; set " + VAR + "=SkylakeX before the JVM starts"));
        if (l2 != null)
            warnings.add(L2_VAR + "=" + l2 + " is set: OpenBLAS takes it as the L2 cache size instead of the one it"
                    + " detects, which changes its blocking; unset it unless it was measured to help");
        return warnings;
    }

    static boolean hasAvx512() {
        Path cpuinfo = Path.of("/proc/cpuinfo");
        if (!Files.isReadable(cpuinfo)) return false;
        try (var lines = Files.lines(cpuinfo)) {
            return lines.filter(l -> l.startsWith("flags")).findFirst().map(l -> l.contains(" avx512f")).orElse(false);
        } catch (IOException | java.io.UncheckedIOException e) {
            return false;
        }
    }
}
