package org.vecrnn.onnx;

import java.util.Set;
import org.vecrnn.model.Output;

/** The head {@code o = g(V h + b)}: MatMul + Add or Gemm, then Sigmoid, Softmax or nothing (identity). */
final class HeadOps {
    private HeadOps() {}

    /** h · B with B a [d, k] constant, on every step's states or the last state: V = Bᵀ. */
    static Value[] matMul(OnnxNode node, WalkState state) {
        node.onlyAttributes(Set.of());
        Value a = node.required(0, "A");
        OnnxTensor weight = node.constant(1, "B");
        int level = levelOf(node, a);
        int d = state.layer(level).d();
        if (!weight.isFloat() || weight.rank() != 2 || weight.dims()[0] != d || weight.dims()[1] < 1)
            throw node.refuse("B has shape " + weight.shape() + ", expected [" + d + ", k] after layer " + level + " of " + d + " units");
        int k = Math.toIntExact(weight.dims()[1]);
        return new Value[] {new Value.Affine(level, a instanceof Value.LastStep, k, d, transpose(weight.floats(), d, k), null)};
    }

    /** The head's bias, on either side: a [k] constant (or [1, k], [1, 1, k]). */
    static Value[] add(OnnxNode node, WalkState state) {
        node.onlyAttributes(Set.of());
        Value x = node.required(0, "A"), y = node.required(1, "B");
        Value.Affine head = x instanceof Value.Affine h ? h : y instanceof Value.Affine h ? h : null;
        Value other = head == x ? y : x;
        if (head == null || !(other instanceof Value.Constant c))
            throw node.refuse("adds " + x.describe() + " and " + y.describe() + "; only the head's bias is added (V h + b)");
        if (head.b() != null) throw node.refuse("adds a second bias to the head");
        return new Value[] {withBias(node, head, c.tensor())};
    }

    /** Gemm(h, B, C) on the last state [B, d]: alpha = beta = 1, transA = 0, B [k, d] with transB = 1 (as PyTorch writes Linear) or [d, k]. */
    static Value[] gemm(OnnxNode node, WalkState state) {
        node.onlyAttributes(Set.of("alpha", "beta", "transA", "transB"));
        if (node.floatAttribute("alpha", 1f) != 1f || node.floatAttribute("beta", 1f) != 1f)
            throw node.refuse("alpha and beta other than 1 are not supported");
        if (node.intAttribute("transA", 0) != 0) throw node.refuse("transA is not supported (A is the states [B, d])");
        Value a = node.required(0, "A");
        if (!(a instanceof Value.LastStep last)) throw node.refuse("A is " + a.describe() + "; Gemm's A must be a last state [B, d]");
        int d = state.layer(last.level()).d();
        OnnxTensor weight = node.constant(1, "B");
        boolean transB = node.intAttribute("transB", 0) != 0;
        long dAxis = transB ? 1 : 0;
        if (!weight.isFloat() || weight.rank() != 2 || weight.dims()[(int) dAxis] != d || weight.dims()[(int) (1 - dAxis)] < 1)
            throw node.refuse("B has shape " + weight.shape() + ", expected " + (transB ? "[k, " + d + "]" : "[" + d + ", k]") + " with transB = " + (transB ? 1 : 0));
        int k = Math.toIntExact(weight.dims()[(int) (1 - dAxis)]);
        float[] V = transB ? weight.floats() : transpose(weight.floats(), d, k);
        Value.Affine head = new Value.Affine(last.level(), true, k, d, V, null);
        return new Value[] {node.input(2) == null ? head : withBias(node, head, node.constant(2, "C"))};
    }

    static Value[] sigmoid(OnnxNode node, WalkState state) {
        node.onlyAttributes(Set.of());
        return new Value[] {new Value.Head(affine(node), Output.SIGMOID)};
    }

    /** Softmax over the k outputs: the last axis (opset 13 and later by default; before 13 axis 1 flattens, so it must be explicit). */
    static Value[] softmax(OnnxNode node, WalkState state) {
        node.onlyAttributes(Set.of("axis"));
        Value.Affine head = affine(node);
        int rank = head.lastStepOnly() ? 2 : 3;
        long axis = LayoutOps.normalise(node.intAttribute("axis", node.opset >= 13 ? -1 : 1), rank);
        if (axis != rank - 1) throw node.refuse("softmax over axis " + node.intAttribute("axis", 1) + " of " + rank + "; vecrnn's softmax runs over the k outputs (the last axis)");
        return new Value[] {new Value.Head(head, Output.SOFTMAX)};
    }

    private static Value.Affine affine(OnnxNode node) {
        Value v = node.required(0, "input");
        if (v instanceof Value.Affine a) return a;
        throw node.refuse("applies to " + v.describe() + "; an output activation follows the head V h + b");
    }

    private static int levelOf(OnnxNode node, Value a) {
        return switch (a) {
            case Value.Sequence s -> s.level();
            case Value.LastStep l -> l.level();
            default -> throw node.refuse("A is " + a.describe() + "; the head multiplies a layer's states");
        };
    }

    private static Value.Affine withBias(OnnxNode node, Value.Affine head, OnnxTensor bias) {
        boolean ones = true;
        for (int i = 0; i + 1 < bias.rank(); i++) ones &= bias.dims()[i] == 1;
        if (!bias.isFloat() || bias.rank() < 1 || bias.rank() > 3 || !ones || bias.dims()[bias.rank() - 1] != head.k())
            throw node.refuse("bias '" + bias.name() + "' has shape " + bias.shape() + ", expected [" + head.k() + "]");
        return new Value.Affine(head.level(), head.lastStepOnly(), head.k(), head.d(), head.V(), bias.floats());
    }

    /** [rows, cols] row-major to [cols, rows]. */
    static float[] transpose(float[] m, int rows, int cols) {
        float[] t = new float[m.length];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) t[j * rows + i] = m[i * cols + j];
        return t;
    }
}
