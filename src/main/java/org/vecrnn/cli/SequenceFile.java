package org.vecrnn.cli;

import org.vecrnn.io.Tensor;
import org.vecrnn.io.SafeTensors;
import org.vecrnn.io.DType;
import java.nio.file.Path;
import org.vecrnn.VecrnnException;
import org.vecrnn.model.Topology;

/**
 * A batch of sequences from a safetensors file: {@code x} [B,T,n] F32, optional {@code h0} [B,d] for a
 * one-layer model, [L,B,d] for L layers (PyTorch's order; zeros when absent) and, for training and gradients, {@code y} ([B,T,k], or [B,k] for many-to-one). Every shape
 * is checked against the model's sizes before use.
 */
public record SequenceFile(int B, int T, float[] x, float[] h0, float[] y) {

    /** x and h0 for a one-layer model of sizes n and d. */
    public static SequenceFile inputs(Path path, int n, int d) {
        return inputs(path, n, d, 1);
    }

    /** x and h0 for a model of sizes n and d with the given number of layers. */
    public static SequenceFile inputs(Path path, int n, int d, int layers) {
        try (SafeTensors st = SafeTensors.openConfined(path)) {
            return inputs(st, n, d, layers);
        }
    }

    private static SequenceFile inputs(SafeTensors st, int n, int d, int layers) {
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
        float[] h0 = st.has("h0") ? h0(st, B, d, layers) : new float[layers * B * d];
        checkFinite(st.path(), "h0", h0);
        return new SequenceFile(B, T, xs, h0, null);
    }

    /** h0 [B,d] (or [1,B,d]) for one layer, [L,B,d] for more. */
    private static float[] h0(SafeTensors st, int B, int d, int layers) {
        Tensor t = st.get("h0");
        if (t.dtype() != DType.F32) throw VecrnnException.inFile(st.path(), "tensor 'h0' is " + t.dtype() + ", expected F32");
        if (layers == 1 ? !t.hasShape(B, d) && !t.hasShape(1, B, d) : !t.hasShape(layers, B, d))
            throw VecrnnException.inFile(st.path(), "tensor 'h0' has shape " + t.shapeString() + ", expected "
                    + (layers == 1 ? "[" + B + ", " + d + "]" : "[" + layers + ", " + B + ", " + d + "] (layers, sequences, units)"));
        return t.floats();
    }

    /** x, h0 and the targets y for a one-layer model of sizes n, d, k and the given topology. */
    public static SequenceFile withTargets(Path path, int n, int d, int k, Topology topology) {
        return withTargets(path, n, d, k, 1, topology);
    }

    /** x, h0 and the targets y for a model of sizes n, d, k, the given number of layers and topology. */
    public static SequenceFile withTargets(Path path, int n, int d, int k, int layers, Topology topology) {
        try (SafeTensors st = SafeTensors.openConfined(path)) {
            SequenceFile in = inputs(st, n, d, layers);
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
