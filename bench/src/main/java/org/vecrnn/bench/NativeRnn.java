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
import org.vecrnn.infer.InferenceModel;
import org.vecrnn.model.ElmanRnn;
import org.vecrnn.model.Parameters;

/**
 * The C yardstick in ../native/build/librnnstep.so through FFM (path from -Dvecrnn.native). All arrays are
 * off-heap segments, so plain downcalls suffice. OpenBLAS uses its AVX-512 kernels only with
 * OPENBLAS_CORETYPE=SkylakeX in the environment (Debian's 0.3.21 does not recognise this CPU); bench/run sets it.
 */
final class NativeRnn extends NativeYardstick {
    private static final ValueLayout.OfInt I = ValueLayout.JAVA_INT;
    private static final ValueLayout P = ValueLayout.ADDRESS;
    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIB;
    static final MethodHandle CREATE, FREE, STEP_FUSED, STEP_COLUMN, STEP_SGEMV, FORWARD_FUSED, FORWARD_SGEMM, BLAS_THREADS;

    static {
        Path lib = Path.of(System.getProperty("vecrnn.native", "../native/build/librnnstep.so")).toAbsolutePath();
        if (!Files.isRegularFile(lib))
            throw new IllegalStateException(lib + ": not found; build it with make -C native (bench/run does)");
        LIB = SymbolLookup.libraryLookup(lib, Arena.global());
        CREATE = h("rnn_create", FunctionDescriptor.of(P, I, I, I, P, P, P, P, P));
        FREE = h("rnn_free", FunctionDescriptor.ofVoid(P));
        STEP_FUSED = h("rnn_step_fused", FunctionDescriptor.ofVoid(P, P, P, P, P));
        STEP_COLUMN = h("rnn_step_column", FunctionDescriptor.ofVoid(P, P, P, P, P));
        STEP_SGEMV = h("rnn_step_sgemv", FunctionDescriptor.ofVoid(P, P, P, P, P));
        FORWARD_FUSED = h("rnn_forward_fused", FunctionDescriptor.ofVoid(P, P, I, I, P, P));
        FORWARD_SGEMM = h("rnn_forward_sgemm", FunctionDescriptor.ofVoid(P, P, I, I, P, P, P));
        BLAS_THREADS = h("rnn_blas_threads", FunctionDescriptor.ofVoid(I));
        if (!"SkylakeX".equals(System.getenv("OPENBLAS_CORETYPE")))
            System.err.println("vecrnn bench: OPENBLAS_CORETYPE is not SkylakeX: OpenBLAS 0.3.21 may run its slow SSE3 kernels here");
    }

    static MethodHandle h(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(LIB.find(name).orElseThrow(() -> new IllegalStateException("no symbol " + name)), fd);
    }

    final MemorySegment model;

    NativeRnn(ElmanRnn m) {
        Parameters p = m.parameters();
        try {
            model = (MemorySegment) CREATE.invokeExact(m.n(), m.d(), m.k(), floats(p.U()), floats(p.W()), floats(p.a()), floats(p.V()), floats(p.b()));
            BLAS_THREADS.invokeExact(1);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        if (model.equals(MemorySegment.NULL)) throw new IllegalStateException("rnn_create failed");
    }

    /**
     * Runs the C step {@code impl} over the inputs from h = 0 beside the scalar reference and fails the setup
     * when any h or o differs by {@link OneDnnCheck#TOLERANCE} or more, so that no time is read from a wrong step.
     */
    void check(String impl, ElmanRnn m, float[][] xs) {
        MethodHandle step = switch (impl) {
            case "c_fused" -> STEP_FUSED;
            case "c_column" -> STEP_COLUMN;
            default -> STEP_SGEMV;
        };
        double worst;
        try (InferenceModel ref = InferenceModel.scalar(m)) {
            worst = streamDiff(ref, xs, (h, x, hNext, o) -> {
                step.invokeExact(model, h, x, hNext, o); // a statement: invokeExact needs the void call type
            });
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        if (!(worst < OneDnnCheck.TOLERANCE))
            throw new IllegalStateException(impl + " differs from the scalar reference by " + worst + " over " + xs.length + " steps");
    }

    /**
     * The same for a C batch ({@code c_fused} or {@code openblas_sgemm}): every h and o of B sequences of T
     * steps from h = 0, written into nh and no, against the scalar reference's forward pass.
     */
    void checkBatch(String impl, ElmanRnn m, float[] x, int B, int T, MemorySegment nx, MemorySegment nh, MemorySegment no, MemorySegment scratch) {
        try (InferenceModel ref = InferenceModel.scalar(m)) {
            InferenceModel.Sequences want = ref.forward(x, B, T, null);
            if (impl.equals("c_fused")) FORWARD_FUSED.invokeExact(model, nx, B, T, nh, no);
            else FORWARD_SGEMM.invokeExact(model, nx, B, T, nh, no, scratch);
            double worst = Math.max(maxDiff(want.h(), nh), maxDiff(want.o(), no));
            if (!(worst < OneDnnCheck.TOLERANCE))
                throw new IllegalStateException(impl + " differs from the scalar reference by " + worst + " over B=" + B + " T=" + T);
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    void free() {
        free(FREE, model);
    }
}
