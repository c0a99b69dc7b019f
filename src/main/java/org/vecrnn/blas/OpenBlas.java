package org.vecrnn.blas;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.AddressLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.Optional;

/**
 * OpenBLAS's {@code cblas_sgemm} through {@code java.lang.foreign}. Arguments are checked by {@link GemmArgs}
 * before the downcall. Native segments go through a plain downcall; heap segments over float[] through a
 * critical one ({@code Linker.Option.critical(true)}), which holds off the GC for the call, so callers keep
 * those calls short (see {@link Sgemm}).
 *
 * <p>Only LP64 builds (32-bit {@code blasint}) are accepted: an ILP64 library ({@code USE64BITINT} in its
 * config string) would read our 32-bit sizes as garbage, so {@link #load} refuses it.
 */
public final class OpenBlas implements Sgemm {
    private static final int ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112;
    private static final ValueLayout.OfInt I = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfFloat FL = ValueLayout.JAVA_FLOAT;
    private static final AddressLayout P = ValueLayout.ADDRESS;

    private final String library;
    /** The plain downcall for native segments; the critical one (heap access, no GC during it) for heap ones. */
    private final MethodHandle sgemm, sgemmHeap, setThreads, getThreads;
    private final String coreName, config;

    private OpenBlas(String library, MethodHandle sgemm, MethodHandle sgemmHeap, MethodHandle setThreads, MethodHandle getThreads,
                     String coreName, String config) {
        this.library = library;
        this.sgemm = sgemm;
        this.sgemmHeap = sgemmHeap;
        this.setThreads = setThreads;
        this.getThreads = getThreads;
        this.coreName = coreName;
        this.config = config;
    }

    /**
     * Loads OpenBLAS from a file path, or by its soname through the system's search path when {@code path}
     * has no '/'. Throws {@link IllegalStateException} saying why when the library or a symbol is missing.
     */
    public static OpenBlas load(String path) {
        CoreType.ensure();
        SymbolLookup lib;
        try {
            lib = path.contains("/") ? SymbolLookup.libraryLookup(Path.of(path), Arena.global())
                    : SymbolLookup.libraryLookup(path, Arena.global());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("cannot load " + path + ": " + e.getMessage(), e);
        }
        Linker linker = Linker.nativeLinker();
        FunctionDescriptor gemm = FunctionDescriptor.ofVoid(I, I, I, I, I, I, FL, P, I, P, I, FL, P, I);
        MemorySegment gemmSymbol = symbol(lib, path, "cblas_sgemm");
        MethodHandle sgemm = linker.downcallHandle(gemmSymbol, gemm);
        MethodHandle sgemmHeap = linker.downcallHandle(gemmSymbol, gemm, Linker.Option.critical(true));
        MethodHandle set = linker.downcallHandle(symbol(lib, path, "openblas_set_num_threads"), FunctionDescriptor.ofVoid(I));
        MethodHandle get = linker.downcallHandle(symbol(lib, path, "openblas_get_num_threads"), FunctionDescriptor.of(I));
        String core = string(linker, lib, "openblas_get_corename"), config = string(linker, lib, "openblas_get_config");
        if (config.contains("USE64BITINT"))
            throw new IllegalStateException(path + " is an ILP64 (64-bit integer) build; vecrnn calls the LP64 interface");
        return new OpenBlas(path, sgemm, sgemmHeap, set, get, core, config);
    }

    private static MemorySegment symbol(SymbolLookup lib, String path, String name) {
        Optional<MemorySegment> s = lib.find(name);
        return s.orElseThrow(() -> new IllegalStateException(path + " has no symbol " + name + " (not OpenBLAS?)"));
    }

    private static String string(Linker linker, SymbolLookup lib, String name) {
        Optional<MemorySegment> s = lib.find(name);
        if (s.isEmpty()) return "?";
        try {
            MemorySegment p = (MemorySegment) linker.downcallHandle(s.get(), FunctionDescriptor.of(P)).invokeExact();
            return p.equals(MemorySegment.NULL) ? "?" : p.reinterpret(4096).getString(0).trim();
        } catch (Throwable t) {
            return "?";
        }
    }

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, MemorySegment a, long aOff, int lda,
                      MemorySegment b, long bOff, int ldb, float beta, MemorySegment c, long cOff, int ldc) {
        if (!GemmArgs.check(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc)) return;
        MethodHandle h = a.isNative() && b.isNative() && c.isNative() ? sgemm : sgemmHeap;
        try {
            h.invokeExact(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS, m, n, k, alpha,
                    a.asSlice(aOff * Float.BYTES), lda, b.asSlice(bOff * Float.BYTES), ldb, beta, c.asSlice(cOff * Float.BYTES), ldc);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** OpenBLAS's own thread pool size; process-wide. */
    public void setThreads(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        try {
            setThreads.invokeExact(threads);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    public int threads() {
        try {
            return (int) getThreads.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** The kernel family OpenBLAS picked, e.g. "SkylakeX" (or "Prescott" when it misread the CPU). */
    public String coreName() {
        return coreName;
    }

    @Override
    public String describe() {
        String version = config.startsWith("OpenBLAS ") ? config : "OpenBLAS " + config;   // 0.3.21 says "OpenBLAS 0.3.21 ..."
        return version + " (" + library + ", core " + coreName + ", " + threads() + " thread" + (threads() == 1 ? "" : "s") + ")";
    }
}
