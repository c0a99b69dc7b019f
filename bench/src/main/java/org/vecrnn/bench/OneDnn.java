package org.vecrnn.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import org.vecrnn.model.ElmanRnn;
import org.vecrnn.model.Parameters;

/**
 * The oneDNN yardstick in ../native/build/libonednn_yard.so through FFM (path from -Dvecrnn.onednn), built
 * apart from librnnstep.so because oneDNN is optional: {@code apt-get install -y libdnnl-dev; make -C native
 * onednn}. When the library is missing the onednn params fail their setup with {@link #MISSING} and JMH goes
 * on with the others. Weights come from the same ElmanRnn as NativeRnn's; oneDNN runs on one OpenMP thread.
 */
final class OneDnn extends NativeYardstick {
    private static final ValueLayout.OfInt I = ValueLayout.JAVA_INT;
    private static final ValueLayout P = ValueLayout.ADDRESS;
    private static final Linker LINKER = Linker.nativeLinker();
    /** Why the library is not usable, or null when it loaded. */
    static final String MISSING;
    static final MethodHandle CREATE, FREE, STEP_IP, STEP_RNN, BATCH_INIT, FORWARD_RNN, ERROR, DESCRIBE;

    static {
        Path lib = Path.of(System.getProperty("vecrnn.onednn", "../native/build/libonednn_yard.so")).toAbsolutePath();
        SymbolLookup l = null;
        String missing = null;
        if (!Files.isRegularFile(lib)) {
            missing = lib + ": not found, oneDNN yardsticks skipped (apt-get install -y libdnnl-dev; make -C native onednn; pass -Dvecrnn.onednn=PATH)";
        } else {
            try {
                l = SymbolLookup.libraryLookup(lib, Arena.global());
            } catch (IllegalArgumentException e) {
                missing = lib + ": cannot be loaded (" + e.getMessage() + "), oneDNN yardsticks skipped";
            }
        }
        MISSING = missing;
        CREATE = h(l, "onednn_create", FunctionDescriptor.of(P, I, I, I, P, P, P, P, P));
        FREE = h(l, "onednn_free", FunctionDescriptor.ofVoid(P));
        STEP_IP = h(l, "onednn_step_ip", FunctionDescriptor.of(I, P, P, P, P, P));
        STEP_RNN = h(l, "onednn_step_rnn", FunctionDescriptor.of(I, P, P, P, P, P));
        BATCH_INIT = h(l, "onednn_batch_init", FunctionDescriptor.of(I, P, I, I));
        FORWARD_RNN = h(l, "onednn_forward_rnn", FunctionDescriptor.of(I, P, P, I, I, P, P));
        ERROR = h(l, "onednn_error", FunctionDescriptor.of(P));
        DESCRIBE = h(l, "onednn_describe", FunctionDescriptor.of(P, P));
    }

    private static MethodHandle h(SymbolLookup lib, String name, FunctionDescriptor fd) {
        if (lib == null) return null;
        return LINKER.downcallHandle(lib.find(name).orElseThrow(() -> new IllegalStateException("no symbol " + name)), fd);
    }

    /** The library's last error message, after a call returned non-zero or NULL. */
    static IllegalStateException failure() {
        try {
            MemorySegment s = (MemorySegment) ERROR.invokeExact();
            return new IllegalStateException(s.reinterpret(1024).getString(0));
        } catch (Throwable t) {
            return new IllegalStateException(t);
        }
    }

    final MemorySegment model;

    /** The stream primitives (inner product, RNN with T = B = 1, head) for the model's weights. */
    OneDnn(ElmanRnn m) {
        if (MISSING != null) throw new IllegalStateException(MISSING);
        Parameters p = m.parameters();
        try {
            model = (MemorySegment) CREATE.invokeExact(m.n(), m.d(), m.k(), floats(p.U()), floats(p.W()), floats(p.a()), floats(p.V()), floats(p.b()));
        } catch (Throwable t) {
            arena.close();
            throw new IllegalStateException(t);
        }
        if (model.equals(MemorySegment.NULL)) {
            arena.close();
            throw failure();
        }
    }

    /** Prepares FORWARD_RNN for B sequences of T steps. */
    void batch(int B, int T) {
        int rc;
        try {
            rc = (int) BATCH_INIT.invokeExact(model, B, T);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        if (rc != 0) throw failure();
    }

    /** oneDNN's version, the ISA it dispatched to, its threads and the implementation of each primitive. */
    String describe() {
        try {
            return ((MemorySegment) DESCRIBE.invokeExact(model)).reinterpret(1024).getString(0);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    void free() {
        free(FREE, model);
    }
}
