package org.vecrnn.onnx;

import java.util.Set;

/**
 * The shape arithmetic PyTorch writes for an RNN called without an initial state: Shape of the input, Gather
 * of the batch size, Unsqueeze, Concat with the other sizes, Cast, then ConstantOfShape of zeros. Its values
 * stay opaque; only the zeros they size reach an RNN, where they mean the same as no initial state.
 */
final class ShapeOps {
    private ShapeOps() {}

    static final Value.ShapeInts INTS = new Value.ShapeInts();
    static final Value.Zeros ZEROS = new Value.Zeros();

    static Value[] shape(OnnxNode node, WalkState state) {
        node.onlyAttributes(Set.of("start", "end"));
        node.required(0, "data");
        return new Value[] {INTS};
    }

    /** Unsqueeze and Cast of shape integers. */
    static Value[] passShape(OnnxNode node, WalkState state) {
        node.onlyAttributes(Set.of("axes", "to"));
        Value v = node.required(0, "input");
        if (v instanceof Value.ShapeInts || v instanceof Value.Constant c && c.tensor().longs() != null) return new Value[] {INTS};
        throw node.refuse("applies to " + v.describe() + "; vecrnn reads it only in the shape arithmetic of a zero initial state");
    }

    /** ConstantOfShape: zeros (the value attribute absent, or one 0), of a size computed from shapes or constant. */
    static Value[] constantOfShape(OnnxNode node, WalkState state) {
        node.onlyAttributes(Set.of("value"));
        Value size = node.required(0, "input");
        if (!(size instanceof Value.ShapeInts) && !(size instanceof Value.Constant c && c.tensor().longs() != null))
            throw node.refuse("its shape is " + size.describe() + ", expected integers");
        OnnxTensor value = node.tensorAttribute("value");
        if (value != null && (value.elements() != 1 || (value.isFloat() ? value.floats()[0] != 0 : value.longs()[0] != 0)))
            throw node.refuse("fills with a value other than 0; vecrnn reads it only as a zero initial state");
        return new Value[] {ZEROS};
    }

    /** Whether Gather, Concat or Slice apply to shape integers or zeros (then they give the same kind back). */
    static boolean isShapeWork(Value v) {
        return v instanceof Value.ShapeInts || v instanceof Value.Zeros;
    }
}
