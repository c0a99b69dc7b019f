package org.vecrnn.onnx;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vecrnn.VecrnnException;
import org.vecrnn.onnx.proto.OnnxProto.ModelProto;
import org.vecrnn.onnx.proto.OnnxProto.StringStringEntryProto;
import org.vecrnn.onnx.proto.OnnxProto.TensorProto;

/** Each refusal: one line that names the file, and the node, its op and why where there is a node. */
class OnnxRefusalTest {
    @TempDir
    Path tmp;

    private void refused(Path file, String... parts) {
        VecrnnException e = assertThrows(VecrnnException.class, () -> OnnxImport.read(file));
        String m = e.getMessage();
        assertTrue(m.startsWith(file + ": "), m);
        for (String p : parts) assertTrue(m.contains(p), "'" + p + "' in: " + m);
        assertTrue(!m.contains("\n"), m);
    }

    private void refused(Consumer<HandGraph> defect, String... parts) {
        HandGraph hg = new HandGraph(11);
        defect.accept(hg);
        refused(hg.write(tmp.resolve("bad.onnx")), parts);
    }

    private void refusedModel(Consumer<ModelProto.Builder> defect, String... parts) {
        ModelProto.Builder m = new HandGraph(12).model().toBuilder();
        defect.accept(m);
        refused(HandGraph.write(tmp.resolve("bad.onnx"), m.build()), parts);
    }

    @Test
    void anLstmIsNotAnElmanRnn() {
        refused(g -> {
            g.rnnOp = "LSTM";
            g.rnnName = "lstm_0";
        }, "node \"lstm_0\": op LSTM is not an Elman RNN");
    }

    @Test
    void onlyForwardLayers() {
        refused(g -> g.rnnAttributes.add(OnnxGraph.attr("direction", "bidirectional")), "node \"rnn_0\": op RNN", "RNN direction bidirectional is not supported");
        refused(g -> g.rnnAttributes.add(OnnxGraph.attr("direction", "reverse")), "RNN direction reverse is not supported");
    }

    @Test
    void clipAndActivationParametersAreRefused() {
        var clip = org.vecrnn.onnx.proto.OnnxProto.AttributeProto.newBuilder().setName("clip")
                .setType(org.vecrnn.onnx.proto.OnnxProto.AttributeProto.AttributeType.FLOAT).setF(3).build();
        refused(g -> g.rnnAttributes.add(clip), "node \"rnn_0\": op RNN", "clip attribute not supported");
        refused(g -> g.rnnAttributes = List.of(OnnxGraph.strings("activations", "Sigmoid")), "activation Sigmoid is not supported (Tanh or Relu)");
        refused(g -> g.rnnAttributes = List.of(OnnxGraph.strings("activations", "Tanh", "Tanh")), "a forward Elman layer has one");
    }

    @Test
    void sequenceLengthsAreRefused() {
        refusedModel(m -> {
            var node = m.getGraphBuilder().getNodeBuilder(0);
            node.setInput(4, "lens");
            m.getGraphBuilder().addInitializer(TensorProto.newBuilder().setName("lens").setDataType(7).addDims(1).addInt64Data(2));
        }, "node \"rnn_0\": op RNN", "sequence_lens is not supported");
    }

    @Test
    void layoutOtherThanZeroOrOne() {
        refused(g -> g.layout = 2, "layout 2 is not an RNN layout");
    }

    @Test
    void weightsWhoseShapesDisagreeWithTheGraph() {
        refused(g -> g.rnnAttributes = List.of(OnnxGraph.attr("hidden_size", 5)), "hidden_size is 5 but W [1, 4, 3] has 4 rows");
        refused(g -> g.W = Arrays.copyOf(g.W, 25), "holds 100 bytes of data, its shape [1, 4, 4] needs 64");
        refusedModel(m -> m.getGraphBuilder().getInitializerBuilder(1).setDims(1, 5).setDims(2, 5)
                .setRawData(com.google.protobuf.ByteString.copyFrom(new byte[100])), "R has shape [1, 5, 5], expected [1, 4, 4]");
        refusedModel(m -> m.getGraphBuilder().getInputBuilder(0).getTypeBuilder().getTensorTypeBuilder().getShapeBuilder().getDimBuilder(2).setDimValue(7),
                "X 'x' is declared with 7 features, W expects 3");
        refused(g -> g.b = new float[3], "bias 'b' has shape [3], expected [2]");
    }

    @Test
    void nonFiniteWeights() {
        refused(g -> g.W[5] = Float.NaN, "initializer 'R' holds NaN at index 5: weights must be finite");
        refused(g -> g.V[1] = Float.POSITIVE_INFINITY, "initializer 'Vt'", "Infinity");
    }

    @Test
    void externalDataIsRefused() {
        refusedModel(m -> m.getGraphBuilder().getInitializerBuilder(0).clearRawData().setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue("weights.bin")),
                "initializer 'W' keeps its data in an external file");
    }

    @Test
    void hugeDeclaredSizesAreRefusedBeforeAllocating() {
        refusedModel(m -> m.getGraphBuilder().getInitializerBuilder(0).setDims(1, 1L << 40), "initializer 'W' has dimension 1099511627776");
        refusedModel(m -> m.getGraphBuilder().getInitializerBuilder(0).setDims(1, 1L << 20).setDims(2, 1L << 12), "more than 2147483639 elements");
        refusedModel(m -> m.getGraphBuilder().getInitializerBuilder(0).setDims(1, 1L << 20).setDims(2, 1L << 10),
                "holds 48 bytes of data, its shape [1, 1048576, 1024] needs 4294967296");
        // a field that declares 2 GB more bytes than the file holds
        byte[] lying = {0x3a, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07, 1, 2, 3};
        refused(write("lying.onnx", lying), "is not a valid ONNX file");
    }

    @Test
    void truncatedCorruptAndEmptyFiles() throws IOException {
        byte[] valid = new HandGraph(13).model().toByteArray();
        refused(write("truncated.onnx", Arrays.copyOf(valid, valid.length - 7)), "is not a valid ONNX file");
        byte[] corrupt = valid.clone();
        corrupt[0] = (byte) 0xff; // wire type 7 does not exist
        refused(write("corrupt.onnx", corrupt), "is not a valid ONNX file");
        refused(write("empty.onnx", new byte[0]), "is empty");
        refused(Files.createDirectory(tmp.resolve("folder.onnx")), "is a folder, not a file");
        refused(tmp.resolve("missing.onnx"), "no such file");
        refused(write("text.onnx", "not a model at all".getBytes()), "ONNX");
        Path safetensors = Files.list(org.vecrnn.Oracle.dir().resolve("deep")).filter(p -> p.toString().endsWith(".safetensors")).findFirst().orElseThrow();
        refused(write("renamed.onnx", Files.readAllBytes(safetensors)), "ONNX");
    }

    @Test
    void opsOutsideThePattern() {
        refused(g -> g.activation = "Tanh", "node \"g\": op Tanh is not part of the pattern vecrnn imports");
        refusedModel(m -> m.getGraphBuilder().getNodeBuilder(0).setDomain("com.example"), "domain 'com.example' is not supported");
        refusedModel(m -> m.getOpsetImportBuilder(0).setVersion(6), "uses opset 6; vecrnn reads opset 7 and later");
    }

    @Test
    void aNonZeroFilledInitialState() {
        refusedModel(m -> {
            var g = m.getGraphBuilder();
            var seven = TensorProto.newBuilder().setDataType(1).addDims(1).addFloatData(7);
            g.addInitializer(TensorProto.newBuilder().setName("size").setDataType(7).addDims(3).addInt64Data(1).addInt64Data(2).addInt64Data(4));
            g.addNode(0, org.vecrnn.onnx.proto.OnnxProto.NodeProto.newBuilder().setOpType("ConstantOfShape").setName("sevens").addInput("size").addOutput("h7")
                    .addAttribute(org.vecrnn.onnx.proto.OnnxProto.AttributeProto.newBuilder().setName("value")
                            .setType(org.vecrnn.onnx.proto.OnnxProto.AttributeProto.AttributeType.TENSOR).setT(seven)));
            g.getNodeBuilder(1).setInput(5, "h7");
        }, "node \"sevens\": op ConstantOfShape: fills with a value other than 0");
    }

    @Test
    void squeezeWithoutAxes() {
        refusedModel(m -> {
            var sq = m.getGraphBuilder().getNodeBuilder(1);
            String data = sq.getInput(0);
            sq.clearInput().addInput(data);
        }, "node \"squeeze\": op Squeeze", "has no axes");
    }

    @Test
    void softmaxOverTheWrongAxis() {
        refusedModel(m -> {
            var g = m.getGraphBuilder();
            g.getNodeBuilder(g.getNodeCount() - 1).setOpType("Softmax").addAttribute(OnnxGraph.attr("axis", 1));
        }, "node \"g\": op Softmax", "softmax over axis 1");
    }

    @Test
    void aGraphWithoutHeadOrWithoutRnn() {
        refusedModel(m -> {
            var g = m.getGraphBuilder();
            g.clearOutput();
            g.addOutput(g.getInput(0).toBuilder().setName("h"));
        }, "has no head among its outputs [h]");
        refusedModel(m -> {
            var g = m.getGraphBuilder();
            List<org.vecrnn.onnx.proto.OnnxProto.NodeProto> nodes = new ArrayList<>(g.getNodeList());
            nodes.remove(0);
            g.clearNode().addAllNode(nodes);
        }, "reads 'y', which no earlier node, graph input or initializer gives");
    }

    @Test
    void twoLayersMustFormOneStack() {
        // a second RNN on x beside the first: two chains
        refusedModel(m -> {
            var g = m.getGraphBuilder();
            g.addNode(1, g.getNode(0).toBuilder().setName("rnn_1").setOutput(0, "y2").setOutput(1, "y2_h"));
        }, "node \"rnn_1\": op RNN: reads the same input as RNN node \"rnn_0\"");
        // the input sequence also fed as an initial state
        refusedModel(m -> m.getGraphBuilder().getNodeBuilder(0).setInput(5, "x"), "initial_h is 'x', the input sequence");
    }

    @Test
    void layersWithDifferentNonlinearities() {
        OnnxExport.Model m = OnnxExportRuntimeTest.randomModel(new java.util.SplittableRandom(3), 3, 4, 2, 2, org.vecrnn.model.Nonlinearity.TANH, org.vecrnn.model.Output.SIGMOID);
        ModelProto.Builder b = OnnxExport.build(m, false).toBuilder();
        for (var node : b.getGraphBuilder().getNodeBuilderList())
            if (node.getName().equals("rnn_l1"))
                for (var a : node.getAttributeBuilderList())
                    if (a.getName().equals("activations")) a.setStrings(0, com.google.protobuf.ByteString.copyFromUtf8("Relu"));
        refused(HandGraph.write(tmp.resolve("mixed.onnx"), b.build()), "runs relu", "runs tanh", "one nonlinearity in every layer");
    }

    @Test
    void inputsThatAreNotFloat() {
        refusedModel(m -> m.getGraphBuilder().getInputBuilder(0).getTypeBuilder().getTensorTypeBuilder().setElemType(7),
                "graph input 'x' is INT64, expected FLOAT");
    }

    private Path write(String name, byte[] bytes) {
        try {
            return Files.write(tmp.resolve(name), bytes);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
