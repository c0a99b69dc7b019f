package org.vecrnn.onnx;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.vecrnn.onnx.proto.OnnxProto.AttributeProto;
import org.vecrnn.onnx.proto.OnnxProto.ModelProto;

/**
 * The plain single-layer graph a user writes by hand (x [T, B, n] or [B, T, n] -> RNN -> Squeeze -> MatMul +
 * Add -> Sigmoid), with every part a field a test can change to make one defect at a time.
 */
final class HandGraph {
    int n = 3, d = 4, k = 2;
    long opset = 14;
    String rnnOp = "RNN", rnnName = "rnn_0";
    int layout = 0;
    boolean bias = true, initialState = true;
    List<AttributeProto> rnnAttributes = new ArrayList<>(List.of(OnnxGraph.attr("hidden_size", 4), OnnxGraph.strings("activations", "Tanh")));
    String activation = "Sigmoid";
    float[] U, W, B, V, b;

    HandGraph(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        U = OnnxExportRuntimeTest.uniform(r, d * n, 0.5);
        W = OnnxExportRuntimeTest.uniform(r, d * d, 0.5);
        B = OnnxExportRuntimeTest.uniform(r, 2 * d, 0.5);
        V = OnnxExportRuntimeTest.uniform(r, k * d, 0.5);
        b = OnnxExportRuntimeTest.uniform(r, k, 0.5);
    }

    OnnxGraph graph() {
        OnnxGraph g = new OnnxGraph("hand");
        Object[] seq = layout == 0 ? new Object[] {"T", "B"} : new Object[] {"B", "T"};
        g.input("x", seq[0], seq[1], (long) n);
        if (initialState) g.input("h0", layout == 0 ? new Object[] {1L, "B", (long) d} : new Object[] {"B", 1L, (long) d});
        g.floats("W", U, 1, d, n).floats("R", W, 1, d, d);
        if (bias) g.floats("B", B, 1, 2L * d);
        List<AttributeProto> attrs = new ArrayList<>(rnnAttributes);
        if (layout != 0) attrs.add(OnnxGraph.attr("layout", layout));
        g.node(rnnOp, rnnName, List.of("x", "W", "R", bias ? "B" : "", "", initialState ? "h0" : ""), List.of("y", "y_h"), attrs.toArray(AttributeProto[]::new));
        g.int64s("axes", layout == 0 ? 1 : 2).node("Squeeze", "squeeze", List.of("y", "axes"), List.of("h"));
        g.floats("Vt", HeadOps.transpose(V, k, d), d, k).floats("b", b, b.length);
        g.node("MatMul", "head", List.of("h", "Vt"), List.of("vh"));
        g.node("Add", "bias", List.of("vh", "b"), List.of(activation == null ? "o" : "z"));
        if (activation != null) g.node(activation, "g", List.of("z"), List.of("o"));
        g.output("o", seq[0], seq[1], (long) k);
        return g;
    }

    ModelProto model() {
        return graph().model(opset, "test");
    }

    Path write(Path file) {
        return write(file, model());
    }

    static Path write(Path file, ModelProto m) {
        try {
            Files.write(file, m.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }
}
