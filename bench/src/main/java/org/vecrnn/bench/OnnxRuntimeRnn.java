package org.vecrnn.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Map;
import org.vecrnn.infer.InferenceModel;
import org.vecrnn.infer.StreamState;
import org.vecrnn.model.ElmanRnn;

/**
 * ONNX Runtime (Java API, CPU, one intra-op thread) running {@link OnnxStepModel} one step at a time, as a
 * service would: [h | x] in a direct buffer that an input tensor wraps, h and o written into tensors made
 * once (ONNX Runtime's pinned outputs), h copied back in front of the next x. What the Java API still
 * allocates per call (the result, its map) shows in {@code -prof gc}.
 */
final class OnnxRuntimeRnn implements AutoCloseable {
    private final int n, d;
    private final OrtSession session;
    private final FloatBuffer hx, h, o;
    private final OnnxTensor hxT, hT, oT;
    private final Map<String, OnnxTensor> inputs, outputs;

    OnnxRuntimeRnn(ElmanRnn m) throws OrtException {
        n = m.n();
        d = m.d();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            opts.setIntraOpNumThreads(1);
            opts.setInterOpNumThreads(1);
            opts.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            session = env.createSession(OnnxStepModel.of(m), opts);
        }
        hx = direct(d + n);
        h = direct(d);
        o = direct(m.k());
        hxT = OnnxTensor.createTensor(env, hx, new long[] {1, d + n});
        hT = OnnxTensor.createTensor(env, h, new long[] {1, d});
        oT = OnnxTensor.createTensor(env, o, new long[] {1, m.k()});
        inputs = Map.of("hx", hxT);
        outputs = Map.of("h", hT, "o", oT);
    }

    private static FloatBuffer direct(int floats) {
        return ByteBuffer.allocateDirect(4 * floats).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    String describe() {
        return "ONNX Runtime " + OrtEnvironment.getEnvironment().getVersion() + " (Java API, CPU, 1 thread)";
    }

    /** One step: x in, o out; h carried from the step before (zero at first). */
    void step(float[] x, float[] out) throws OrtException {
        hx.put(d, x, 0, n);
        session.run(inputs, outputs).close(); // the pinned outputs stay open
        hx.put(0, h, 0, d);
        o.get(0, out);
    }

    /**
     * Runs the inputs from h = 0 beside the scalar reference and fails the setup when any h or o differs by
     * {@link OneDnnCheck#TOLERANCE} or more, then starts again from h = 0.
     */
    void check(ElmanRnn m, float[][] xs) throws OrtException {
        double worst = 0;
        float[] hRef = new float[d], oRef = new float[m.k()], out = new float[m.k()];
        try (InferenceModel ref = InferenceModel.scalar(m)) {
            StreamState st = ref.newStream();
            for (float[] x : xs) {
                step(x, out);
                st.step(x, oRef);
                st.saveState(hRef);
                double e = Math.max(NativeYardstick.maxDiff(hRef, MemorySegment.ofBuffer(h)),
                        NativeYardstick.maxDiff(oRef, MemorySegment.ofBuffer(o)));
                if (!(e <= worst)) worst = e;  // NaN sticks
            }
        }
        if (!(worst < OneDnnCheck.TOLERANCE))
            throw new IllegalStateException("onnxruntime differs from the scalar reference by " + worst + " over " + xs.length + " steps");
        hx.put(0, new float[d]);
    }

    @Override
    public void close() throws OrtException {
        hxT.close();
        hT.close();
        oT.close();
        session.close();
    }
}
