package org.vecrnn.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vecrnn.io.Tensor;
import org.vecrnn.onnx.proto.OnnxProto.AttributeProto;

/** The hand-written forms import to the weights they hold: layout 0 and 1, no B, no initial_h, a Gemm head. */
class OnnxImportFormsTest {
    @TempDir
    Path tmp;

    private Map<String, float[]> tensors(OnnxImport.Imported im) {
        return im.tensors().values().stream().collect(Collectors.toMap(Tensor::name, Tensor::floats));
    }

    private void assertWeights(HandGraph hg, OnnxImport.Imported im, boolean bias) {
        Map<String, float[]> t = tensors(im);
        assertArrayEquals(hg.U, t.get("rnn.weight_ih_l0"));
        assertArrayEquals(hg.W, t.get("rnn.weight_hh_l0"));
        assertArrayEquals(bias ? java.util.Arrays.copyOfRange(hg.B, 0, hg.d) : new float[hg.d], t.get("rnn.bias_ih_l0"));
        assertArrayEquals(bias ? java.util.Arrays.copyOfRange(hg.B, hg.d, 2 * hg.d) : new float[hg.d], t.get("rnn.bias_hh_l0"));
        assertArrayEquals(hg.V, t.get("head.weight"));
        assertArrayEquals(hg.b, t.get("head.bias"));
    }

    @Test
    void layoutZeroWithBiasAndInitialState() {
        HandGraph hg = new HandGraph(1);
        OnnxImport.Imported im = OnnxImport.read(hg.write(tmp.resolve("plain.onnx")));
        assertWeights(hg, im, true);
        assertEquals(Map.of("layers", "1", "nonlinearity", "tanh", "output", "sigmoid"), im.metadata());
    }

    /** Initializers in float_data and int64_data instead of raw_data: the same model. */
    @Test
    void typedDataInsteadOfRawBytes() {
        HandGraph hg = new HandGraph(7);
        var m = hg.model().toBuilder();
        for (var t : m.getGraphBuilder().getInitializerBuilderList()) {
            var raw = t.getRawData().asReadOnlyByteBuffer().order(java.nio.ByteOrder.LITTLE_ENDIAN);
            if (t.getDataType() == 1) while (raw.hasRemaining()) t.addFloatData(raw.getFloat());
            else while (raw.hasRemaining()) t.addInt64Data(raw.getLong());
            t.clearRawData();
        }
        OnnxImport.Imported im = OnnxImport.read(HandGraph.write(tmp.resolve("typed.onnx"), m.build()));
        assertWeights(hg, im, true);
    }

    @Test
    void layoutOneReluWithoutBiasOrInitialState() {
        HandGraph hg = new HandGraph(2);
        hg.layout = 1;
        hg.bias = false;
        hg.initialState = false;
        hg.activation = "Softmax";
        hg.rnnAttributes = List.of(OnnxGraph.strings("activations", "Relu"));
        OnnxImport.Imported im = OnnxImport.read(hg.write(tmp.resolve("batch-first.onnx")));
        assertWeights(hg, im, false);
        assertEquals(Map.of("layers", "1", "nonlinearity", "relu", "output", "softmax"), im.metadata());
    }

    @Test
    void noActivationIsIdentityAndDefaultsAreTanh() {
        HandGraph hg = new HandGraph(3);
        hg.activation = null;
        hg.rnnAttributes = List.of();
        OnnxImport.Imported im = OnnxImport.read(hg.write(tmp.resolve("identity.onnx")));
        assertWeights(hg, im, true);
        assertEquals(Map.of("layers", "1", "nonlinearity", "tanh", "output", "identity"), im.metadata());
    }

    /** Many-to-one as PyTorch writes {@code head(out[:, -1])} and as a hand-written graph reads Y_h: a Gemm with transB. */
    @Test
    void gemmHeadOnTheLastStep() {
        for (String last : List.of("gather", "y_h")) {
            HandGraph hg = new HandGraph(4);
            OnnxGraph g = new OnnxGraph("m2o");
            g.input("x", "T", "B", (long) hg.n).floats("W", hg.U, 1, hg.d, hg.n).floats("R", hg.W, 1, hg.d, hg.d).floats("B", hg.B, 1, 2L * hg.d);
            g.node("RNN", "rnn", List.of("x", "W", "R", "B"), List.of("y", "y_h"), OnnxGraph.attr("hidden_size", hg.d));
            if (last.equals("gather")) {
                g.int64s("axes", 1).node("Squeeze", "sq", List.of("y", "axes"), List.of("h"));
                g.node("Constant", "idx", List.of(), List.of("i"), scalar(-1));
                g.node("Gather", "last", List.of("h", "i"), List.of("h_last"), OnnxGraph.attr("axis", 0));
            } else {
                g.int64s("axes", 0).node("Squeeze", "sq", List.of("y_h", "axes"), List.of("h_last"));
            }
            g.floats("V", hg.V, hg.k, hg.d).floats("b", hg.b, hg.k);
            g.node("Gemm", "head", List.of("h_last", "V", "b"), List.of("o"), OnnxGraph.attr("transB", 1));
            g.output("o", "B", (long) hg.k);
            OnnxImport.Imported im = OnnxImport.read(HandGraph.write(tmp.resolve(last + ".onnx"), g.model(14, "test")));
            assertWeights(hg, im, true);
            assertEquals("identity", im.metadata().get("output"));
        }
    }

    /** An RNN called without h0 as PyTorch writes it: zeros sized from the input's shape (Shape, Gather, Unsqueeze, Concat, ConstantOfShape). */
    @Test
    void zeroInitialStateSizedFromTheInput() {
        HandGraph hg = new HandGraph(6);
        hg.initialState = false;
        var m = hg.model().toBuilder();
        var g = m.getGraphBuilder();
        var zero = org.vecrnn.onnx.proto.OnnxProto.TensorProto.newBuilder().setDataType(1).addDims(1).addFloatData(0);
        List<org.vecrnn.onnx.proto.OnnxProto.NodeProto> sizing = List.of(
                node("Shape", "shape", List.of("x"), "x_shape"),
                node("Constant", "one", List.of(), "one", scalar(1)),
                node("Gather", "batch", List.of("x_shape", "one"), "batch"),
                node("Unsqueeze", "batch_1d", List.of("batch", "axes0"), "batch_1d"),
                node("Concat", "size", List.of("dirs", "batch_1d", "hidden"), "size", OnnxGraph.attr("axis", 0)),
                node("ConstantOfShape", "zeros", List.of("size"), "h_zero",
                        AttributeProto.newBuilder().setName("value").setType(AttributeProto.AttributeType.TENSOR).setT(zero).build()));
        for (int i = 0; i < sizing.size(); i++) g.addNode(i, sizing.get(i));
        g.addInitializer(int64("axes0", 0)).addInitializer(int64("dirs", 1)).addInitializer(int64("hidden", hg.d));
        for (var n : g.getNodeBuilderList()) if (n.getOpType().equals("RNN")) n.setInput(5, "h_zero");
        OnnxImport.Imported im = OnnxImport.read(HandGraph.write(tmp.resolve("zeros.onnx"), m.build()));
        assertWeights(hg, im, true);
    }

    private static org.vecrnn.onnx.proto.OnnxProto.NodeProto node(String op, String name, List<String> in, String out, AttributeProto... attrs) {
        var n = org.vecrnn.onnx.proto.OnnxProto.NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(in).addOutput(out);
        for (AttributeProto a : attrs) n.addAttribute(a);
        return n.build();
    }

    private static org.vecrnn.onnx.proto.OnnxProto.TensorProto int64(String name, long v) {
        return org.vecrnn.onnx.proto.OnnxProto.TensorProto.newBuilder().setName(name).setDataType(7).addDims(1).addInt64Data(v).build();
    }

    private static AttributeProto scalar(long v) {
        var t = org.vecrnn.onnx.proto.OnnxProto.TensorProto.newBuilder().setDataType(7).addInt64Data(v);
        return AttributeProto.newBuilder().setName("value").setType(AttributeProto.AttributeType.TENSOR).setT(t).build();
    }

    @Test
    void describeNamesTheNodesAndTheModel() {
        HandGraph hg = new HandGraph(5);
        List<String> lines = OnnxImport.describe(hg.write(tmp.resolve("d.onnx")));
        String all = String.join("\n", lines);
        assertEquals(true, all.contains("layer 1: RNN node \"rnn_0\", tanh, 3 -> 4 units, layout 0, initial state h0"), all);
        assertEquals(true, all.contains("maps to: vecrnn model n=3 d=4 k=2 layers=1 nonlinearity=tanh output=sigmoid"), all);
        assertEquals(true, all.contains("input  x [?, ?, 3]  (x, [T, B, n])"), all);
    }
}
