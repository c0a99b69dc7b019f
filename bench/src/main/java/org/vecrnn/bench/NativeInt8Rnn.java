package org.vecrnn.bench;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import org.vecrnn.infer.InferenceModel;
import org.vecrnn.quant.Int8Scheme;
import org.vecrnn.quant.Int8Weights;
import org.vecrnn.quant.QuantizedRnn;

/**
 * The C int8 column step of librnnstep.so (rnn_int8_*, see ../native/rnnstep.c) through FFM: the same int8-row
 * model as vecrnn's int8 kernels (its bytes and scales are copied in), stepped with plain AVX-512 code, as the
 * native bound for Int8VectorKernel.
 */
final class NativeInt8Rnn extends NativeYardstick {
    private static final ValueLayout.OfInt I = ValueLayout.JAVA_INT;
    private static final ValueLayout P = ValueLayout.ADDRESS;
    static final MethodHandle CREATE = NativeRnn.h("rnn_int8_create", FunctionDescriptor.of(P, I, I, I, P, P, P, P, P, P, P, P));
    static final MethodHandle FREE = NativeRnn.h("rnn_int8_free", FunctionDescriptor.ofVoid(P));
    static final MethodHandle STEP = NativeRnn.h("rnn_int8_step", FunctionDescriptor.ofVoid(P, P, P, P, P));

    final MemorySegment model;

    NativeInt8Rnn(QuantizedRnn q) {
        if (q.scheme() != Int8Scheme.ROW) throw new IllegalArgumentException("the C int8 step takes the int8-row scheme, not " + q.scheme().id());
        Int8Weights U = q.weights("U"), W = q.weights("W"), V = q.weights("V");
        try {
            model = (MemorySegment) CREATE.invokeExact(q.n(), q.d(), q.k(), bytes(U.q()), floats(U.scales()), bytes(W.q()), floats(W.scales()),
                    floats(q.aValues()), bytes(V.q()), floats(V.scales()), floats(q.bValues()));
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        if (model.equals(MemorySegment.NULL)) throw new IllegalStateException("rnn_int8_create failed");
    }

    /**
     * Runs the C step over the inputs from h = 0 beside vecrnn's scalar int8 kernel on the same model and fails
     * the setup when any h or o differs by {@link OneDnnCheck#TOLERANCE} or more.
     */
    void check(QuantizedRnn q, float[][] xs) {
        double worst;
        try (InferenceModel ref = InferenceModel.scalar(q)) {
            worst = streamDiff(ref, xs, (h, x, hNext, o) -> {
                STEP.invokeExact(model, h, x, hNext, o);
            });
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        if (!(worst < OneDnnCheck.TOLERANCE))
            throw new IllegalStateException("c_int8_column differs from the scalar int8 kernel by " + worst + " over " + xs.length + " steps");
    }

    @Override
    void free() {
        free(FREE, model);
    }
}
