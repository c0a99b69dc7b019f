package org.vecrnn.io;

import java.nio.file.Path;
import org.vecrnn.VecrnnException;
import org.vecrnn.model.Topology;

/**
 * A batch of sequences from a safetensors file: {@code x} [B,T,n] F32, optional {@code h0} [B,d] (zeros
 * when absent) and, for training and gradients, {@code y} ([B,T,k], or [B,k] for many-to-one). Every shape
 * is checked against the model's sizes before use.
 */
public record SequenceFile(int B, int T, float[] x, float[] h0, float[] y) {

    /** x and h0 for a model of sizes n and d. */
    public static SequenceFile inputs(Path path, int n, int d) {
        try (SafeTensors st = SafeTensors.openConfined(path)) {
            return inputs(st, n, d);
        }
    }

    private static SequenceFile inputs(SafeTensors st, int n, int d) {
        Tensor x = st.get("x");
        if (x.dtype() != DType.F32) throw VecrnnException.inFile(st.path(), "tensor 'x' is " + x.dtype() + ", expected F32");
        if (x.rank() != 3)
            throw VecrnnException.inFile(st.path(), "tensor 'x' has shape " + x.shapeString() + ", expected [B, T, n] with n=" + n);
        if (x.shape()[2] != n)
            throw VecrnnException.inFile(st.path(), "tensor 'x' has shape " + x.shapeString() + ": n=" + x.shape()[2] + " but the model takes n=" + n);
        if (x.shape()[0] < 1 || x.shape()[1] < 1)
            throw VecrnnException.inFile(st.path(), "tensor 'x' has shape " + x.shapeString() + ": B and T must be at least 1");
        if (x.elements() > Integer.MAX_VALUE - 16)
            throw VecrnnException.inFile(st.path(), "tensor 'x' has " + x.elements() + " values, more than one array holds");
        int B = (int) x.shape()[0], T = (int) x.shape()[1];
        float[] xs = x.floats();
        checkFinite(st.path(), "x", xs);
        float[] h0 = st.has("h0") ? st.floats("h0", B, d) : new float[B * d];
        checkFinite(st.path(), "h0", h0);
        return new SequenceFile(B, T, xs, h0, null);
    }

    /** x, h0 and the targets y for a model of sizes n, d, k and the given topology. */
    public static SequenceFile withTargets(Path path, int n, int d, int k, Topology topology) {
        try (SafeTensors st = SafeTensors.openConfined(path)) {
            SequenceFile in = inputs(st, n, d);
            float[] y = topology == Topology.MANY_TO_ONE ? st.floats("y", in.B, k) : st.floats("y", in.B, in.T, k);
            checkFinite(st.path(), "y", y);
            return new SequenceFile(in.B, in.T, in.x, in.h0, y);
        }
    }

    private static void checkFinite(Path path, String name, float[] v) {
        for (int i = 0; i < v.length; i++)
            if (!Float.isFinite(v[i])) throw VecrnnException.inFile(path, "tensor '" + name + "' holds " + v[i] + " at index " + i);
    }
}
