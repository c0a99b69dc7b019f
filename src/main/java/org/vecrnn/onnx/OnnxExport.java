package org.vecrnn.onnx;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.vecrnn.io.AtomicFile;
import org.vecrnn.model.ElmanRnn;
import org.vecrnn.model.Nonlinearity;
import org.vecrnn.model.Output;

/**
 * ONNX export: an Elman stack with one head as a standard ONNX graph (opset 14), one {@code RNN} node per layer
 * and {@code MatMul + Add} (then Sigmoid or Softmax) for the head, which ONNX Runtime and vecrnn itself run.
 *
 * <p>Inputs {@code x} and {@code h0}, outputs {@code o}, {@code h} (the last layer's states) and {@code h_n}
 * (every layer's final state). Time-major by default, as ONNX's RNN and PyTorch's {@code nn.RNN} are:
 * {@code x [T, B, n]}, {@code h [T, B, d]}, {@code o [T, B, k]}; with {@code batchFirst} these are
 * {@code [B, T, ·]} (Transposes around the RNN nodes, which stay in layout 0: ONNX Runtime's CPU RNN runs
 * no other). {@code h0} and {@code h_n} are {@code [L, B, d]} either way, as in PyTorch.
 */
public final class OnnxExport {
    private OnnxExport() {}

    /** The ONNX opset the graph declares: 14, which every ONNX Runtime since 1.8 runs. */
    public static final long OPSET = 14;

    /**
     * One layer of the graph.
     *
     * @param U [d, n_l]: n for the first layer, d above
     * @param W [d, d]
     * @param biasIh [d], ONNX's input bias
     * @param biasHh [d], ONNX's recurrent bias (their sum is a)
     */
    public record Layer(float[] U, float[] W, float[] biasIh, float[] biasHh) {}

    /**
     * The model to write.
     *
     * @param n the size of an input
     * @param d the units of each layer
     * @param k the size of an output
     * @param layers 1 to 8 layers, the first over n inputs
     * @param V the head's weights [k, d]
     * @param b the head's bias [k]
     * @param nonlinearity the hidden nonlinearity, an RNN node's activation
     * @param output the output function after the head
     */
    public record Model(int n, int d, int k, List<Layer> layers, float[] V, float[] b, Nonlinearity nonlinearity, Output output) {}

    /**
     * A loaded model's weights; each layer's bias a goes whole to ONNX's input bias (the recurrent one is 0).
     *
     * @param m an open fp32 model
     * @return heap copies of its weights, ready for {@link #write}
     */
    public static Model of(ElmanRnn m) {
        List<Layer> layers = new ArrayList<>();
        for (int l = 0; l < m.layers(); l++)
            layers.add(new Layer(floats(m.U(l)), floats(m.W(l)), floats(m.a(l)), new float[m.d()]));
        return new Model(m.n(), m.d(), m.k(), layers, floats(m.V()), floats(m.b()), m.nonlinearity(), m.output());
    }

    private static float[] floats(MemorySegment s) {
        return s.toArray(ValueLayout.JAVA_FLOAT);
    }

    /**
     * Writes {@code model} to {@code path} atomically.
     *
     * @param model the weights and sizes
     * @param path the {@code .onnx} file to write (replaced only once it is complete)
     * @param batchFirst whether x, h and o are [B, T, ·] rather than ONNX's [T, B, ·]
     * @throws org.vecrnn.VecrnnException when protobuf-java is not on the class path or the file cannot be written
     */
    public static void write(Model model, Path path, boolean batchFirst) {
        OnnxImport.requireProtobuf(path);
        byte[] bytes = build(model, batchFirst).toByteArray();
        AtomicFile.write(path, ch -> {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) ch.write(b);
        });
    }

    static org.vecrnn.onnx.proto.OnnxProto.ModelProto build(Model m, boolean batchFirst) {
        int L = m.layers().size(), d = m.d(), k = m.k();
        String act = switch (m.nonlinearity()) {
            case TANH -> "Tanh";
            case RELU -> "Relu";
        };
        OnnxGraph g = new OnnxGraph("vecrnn");
        Object[] seq = batchFirst ? new Object[] {"B", "T"} : new Object[] {"T", "B"};
        g.input("x", seq[0], seq[1], (long) m.n());
        g.input("h0", (long) L, "B", (long) d);
        g.int64s("layer_axis", 0).int64s("direction_axis", 1);
        String below = "x";
        if (batchFirst) {
            g.node("Transpose", "x_time_major", List.of("x"), List.of("x_time_major"), OnnxGraph.ints("perm", 1, 0, 2));
            below = "x_time_major";
        }
        List<String> finals = new ArrayList<>();
        for (int l = 0; l < L; l++) {
            Layer layer = m.layers().get(l);
            int inputs = l == 0 ? m.n() : d;
            String p = "rnn_l" + l;
            g.floats("rnn.weight_ih_l" + l, layer.U(), 1, d, inputs).floats("rnn.weight_hh_l" + l, layer.W(), 1, d, d)
                    .floats("rnn.bias_l" + l, concat(layer.biasIh(), layer.biasHh()), 1, 2L * d)
                    .int64s(p + "_start", l).int64s(p + "_end", l + 1);
            g.node("Slice", p + "_h0", List.of("h0", p + "_start", p + "_end", "layer_axis"), List.of(p + "_h0"));
            g.node("RNN", p, List.of(below, "rnn.weight_ih_l" + l, "rnn.weight_hh_l" + l, "rnn.bias_l" + l, "", p + "_h0"), List.of(p + "_y", p + "_hn"),
                    OnnxGraph.attr("hidden_size", d), OnnxGraph.strings("activations", act), OnnxGraph.attr("direction", "forward"));
            String states = l == L - 1 && !batchFirst ? "h" : p + "_h";
            g.node("Squeeze", p + "_squeeze", List.of(p + "_y", "direction_axis"), List.of(states));
            finals.add(p + "_hn");
            below = states;
        }
        if (batchFirst) g.node("Transpose", "h_batch_first", List.of(below), List.of("h"), OnnxGraph.ints("perm", 1, 0, 2));
        g.node("Concat", "h_n", finals, List.of("h_n"), OnnxGraph.attr("axis", 0));
        g.floats("head.weight_t", HeadOps.transpose(m.V(), k, d), d, k).floats("head.bias", m.b(), k);
        String z = m.output() == Output.IDENTITY ? "o" : "z";
        g.node("MatMul", "head_matmul", List.of("h", "head.weight_t"), List.of("head_vh"));
        g.node("Add", "head_add", List.of("head_vh", "head.bias"), List.of(z));
        switch (m.output()) {
            case SIGMOID -> g.node("Sigmoid", "output_sigmoid", List.of(z), List.of("o"));
            case SOFTMAX -> g.node("Softmax", "output_softmax", List.of(z), List.of("o"), OnnxGraph.attr("axis", -1));
            case IDENTITY -> {}
        }
        g.output("o", seq[0], seq[1], (long) k).output("h", seq[0], seq[1], (long) d).output("h_n", (long) L, "B", (long) d);
        return g.model(OPSET, "0.1.0");
    }

    private static float[] concat(float[] a, float[] b) {
        float[] c = new float[a.length + b.length];
        System.arraycopy(a, 0, c, 0, a.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
