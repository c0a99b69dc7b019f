package org.vecrnn.onnx;

import java.util.Map;

/** The op handlers by op type, and why the ops without one are refused. */
final class Ops {
    private Ops() {}

    private static final Map<String, OpHandler> HANDLERS = Map.ofEntries(
            Map.entry("RNN", RnnOp::map),
            Map.entry("Transpose", LayoutOps::transpose),
            Map.entry("Squeeze", LayoutOps::squeeze),
            Map.entry("Slice", LayoutOps::slice),
            Map.entry("Concat", LayoutOps::concat),
            Map.entry("Gather", LayoutOps::gather),
            Map.entry("Identity", LayoutOps::identity),
            Map.entry("Constant", LayoutOps::constant),
            Map.entry("Shape", ShapeOps::shape),
            Map.entry("Unsqueeze", ShapeOps::passShape),
            Map.entry("Cast", ShapeOps::passShape),
            Map.entry("ConstantOfShape", ShapeOps::constantOfShape),
            Map.entry("MatMul", HeadOps::matMul),
            Map.entry("Add", HeadOps::add),
            Map.entry("Gemm", HeadOps::gemm),
            Map.entry("Sigmoid", HeadOps::sigmoid),
            Map.entry("Softmax", HeadOps::softmax));

    static OpHandler handler(OnnxNode node) {
        OpHandler h = HANDLERS.get(node.op());
        if (h != null) return h;
        throw new OnnxRefusal(node.label() + " " + switch (node.op()) {
            case "LSTM", "GRU" -> "is not an Elman RNN";
            case "Scan", "Loop", "If" -> "control flow is not supported (vecrnn imports one RNN node per layer)";
            default -> "is not part of the pattern vecrnn imports (RNN layers, then MatMul + Add or Gemm, then Sigmoid, Softmax or Identity)";
        });
    }
}
