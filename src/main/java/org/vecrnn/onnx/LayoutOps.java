package org.vecrnn.onnx;

import java.util.Arrays;
import java.util.Set;

/**
 * The ops that move the RNN's tensors between layouts without computing anything: Transpose, Squeeze, Slice,
 * Concat, Gather, Identity and Constant. Each accepts only the uses an RNN export makes of it.
 */
final class LayoutOps {
    private LayoutOps() {}

    /** Transpose with perm [1, 0, 2]: time-major and batch-major swap (states, inputs, initial and final states). */
    static Value[] transpose(OnnxNode node, WalkState state) {
        node.onlyAttributes(Set.of("perm"));
        long[] perm = node.intsAttribute("perm");
        if (perm == null || !Arrays.equals(perm, new long[] {1, 0, 2}))
            throw node.refuse("perm " + (perm == null ? "(absent: reversed axes)" : Arrays.toString(perm)) + " is not supported; only [1, 0, 2] (swap the first two axes)");
        Value v = node.required(0, "data");
        Value out = switch (v) {
            case Value.Sequence s -> new Value.Sequence(s.level(), !s.timeMajor());
            case Value.GraphInput g -> new Value.GraphInput(g.name(), g.declared(), !g.swapped());
            case Value.StateSlot s -> new Value.StateSlot(s.input(), s.layer(), !s.batchMajor());
            case Value.FinalState f -> new Value.FinalState(f.level(), !f.batchMajor());
            default -> throw node.refuse("transposes " + v.describe() + "; only sequences and states are transposed in an RNN graph");
        };
        return new Value[] {out};
    }

    /** Squeeze of Y's direction axis (to [T, B, d] or [B, T, d]) or of Y_h's (to the last state [B, d]). */
    static Value[] squeeze(OnnxNode node, WalkState state) {
        long[] axes;
        if (node.opset >= 13) {
            node.onlyAttributes(Set.of());
            if (node.input(1) == null) throw node.refuse("has no axes; vecrnn needs the axis named (a batch of 1 would squeeze too)");
            axes = ints(node, node.constant(1, "axes"));
        } else {
            node.onlyAttributes(Set.of("axes"));
            axes = node.intsAttribute("axes");
            if (axes == null) throw node.refuse("has no axes; vecrnn needs the axis named (a batch of 1 would squeeze too)");
        }
        Value v = node.required(0, "data");
        if (v instanceof Value.RnnOutput y) {
            long want = y.layout() == 0 ? 1 : 2;
            if (axes.length == 1 && normalise(axes[0], 4) == want) return new Value[] {new Value.Sequence(y.level(), y.layout() == 0)};
            throw node.refuse("axes " + Arrays.toString(axes) + " on " + y.describe() + "; its direction axis is " + want);
        }
        if (v instanceof Value.FinalState f) {
            long want = f.batchMajor() ? 1 : 0;
            if (axes.length == 1 && normalise(axes[0], 3) == want) return new Value[] {new Value.LastStep(f.level())};
            throw node.refuse("axes " + Arrays.toString(axes) + " on " + f.describe() + "; its direction axis is " + want);
        }
        throw node.refuse("squeezes " + v.describe() + "; only an RNN's Y or Y_h is squeezed");
    }

    /** Slice [l, l+1) on axis 0 of a stacked initial-state input: layer l's initial state. */
    static Value[] slice(OnnxNode node, WalkState state) {
        long[] starts, ends, axes, steps;
        if (node.opset >= 10) {
            node.onlyAttributes(Set.of());
            starts = ints(node, node.constant(1, "starts"));
            ends = ints(node, node.constant(2, "ends"));
            axes = node.input(3) == null ? null : ints(node, node.constant(3, "axes"));
            steps = node.input(4) == null ? null : ints(node, node.constant(4, "steps"));
        } else {
            node.onlyAttributes(Set.of("starts", "ends", "axes"));
            starts = node.intsAttribute("starts");
            ends = node.intsAttribute("ends");
            axes = node.intsAttribute("axes");
            steps = null;
            if (starts == null || ends == null) throw node.refuse("has no starts or ends");
        }
        Value v = node.required(0, "data");
        if (ShapeOps.isShapeWork(v)) return new Value[] {v};
        if (!(v instanceof Value.GraphInput in) || in.swapped())
            throw node.refuse("slices " + v.describe() + "; only a stacked initial state [L, B, d] is sliced, one layer at a time");
        boolean oneAxis0 = starts.length == 1 && ends.length == 1 && (axes == null || (axes.length == 1 && normalise(axes[0], 3) == 0))
                && (steps == null || (steps.length == 1 && steps[0] == 1));
        if (!oneAxis0 || starts[0] < 0 || ends[0] != starts[0] + 1)
            throw node.refuse("starts " + Arrays.toString(starts) + ", ends " + Arrays.toString(ends) + ", axes " + Arrays.toString(axes)
                    + " is not one layer [l, l+1) of axis 0 of '" + in.name() + "'");
        long[] dims = in.declared();
        if (dims != null && (dims.length != 3 || (dims[0] > 0 && starts[0] >= dims[0])))
            throw node.refuse("takes layer " + starts[0] + " of '" + in.name() + "', declared " + Arrays.toString(dims));
        return new Value[] {new Value.StateSlot(in.name(), starts[0], false)};
    }

    /** Concat on axis 0 of consecutive layers' final states [1, B, d]: h_n [L, B, d]. */
    static Value[] concat(OnnxNode node, WalkState state) {
        node.onlyAttributes(Set.of("axis"));
        if (node.inputCount() > 0 && shapeInts(node)) return new Value[] {ShapeOps.INTS};
        long axis = node.intAttribute("axis", Long.MIN_VALUE);
        if (axis == Long.MIN_VALUE || normalise(axis, 3) != 0) throw node.refuse("axis " + (axis == Long.MIN_VALUE ? "absent" : axis) + "; only the layers' final states are stacked, on axis 0");
        int from = -1, next = -1;
        for (int i = 0; i < node.inputCount(); i++) {
            Value v = node.required(i, "input");
            if (!(v instanceof Value.FinalState f) || f.batchMajor() || (next >= 0 && f.level() != next))
                throw node.refuse("input " + i + " is " + v.describe() + "; only consecutive layers' final states [1, B, d] are stacked");
            if (from < 0) from = f.level();
            next = f.level() + 1;
        }
        if (from < 0) throw node.refuse("has no inputs");
        return new Value[] {new Value.FinalStates(from, next - 1)};
    }

    /** Whether every input is shape integers or an integer constant, with at least one of the first kind. */
    private static boolean shapeInts(OnnxNode node) {
        boolean any = false;
        for (int i = 0; i < node.inputCount(); i++) {
            Value v = node.input(i);
            if (v instanceof Value.ShapeInts) any = true;
            else if (!(v instanceof Value.Constant c && c.tensor().longs() != null)) return false;
        }
        return any;
    }

    /** Gather of index -1 on the time axis: the last state of a layer, [B, d] (a many-to-one head reads it). */
    static Value[] gather(OnnxNode node, WalkState state) {
        node.onlyAttributes(Set.of("axis"));
        Value v = node.required(0, "data");
        if (v instanceof Value.ShapeInts) return new Value[] {v};
        OnnxTensor index = node.constant(1, "indices");
        if (!(v instanceof Value.Sequence s)) throw node.refuse("gathers from " + v.describe() + "; only the last step of a layer's states is taken");
        long axis = normalise(node.intAttribute("axis", 0), 3);
        long time = s.timeMajor() ? 0 : 1;
        if (axis != time || index.rank() != 0 || index.longs() == null || index.longs()[0] != -1)
            throw node.refuse("takes index " + (index.longs() == null ? index.shape() : Arrays.toString(index.longs())) + " of axis " + axis + " of "
                    + s.describe() + "; only the last step (a scalar -1 on the time axis, " + time + ") is supported");
        return new Value[] {new Value.LastStep(s.level())};
    }

    static Value[] identity(OnnxNode node, WalkState state) {
        node.onlyAttributes(Set.of());
        return new Value[] {node.required(0, "input")};
    }

    static Value[] constant(OnnxNode node, WalkState state) {
        node.onlyAttributes(Set.of("value"));
        OnnxTensor t = node.tensorAttribute("value");
        if (t == null) throw node.refuse("has no value");
        return new Value[] {new Value.Constant(t)};
    }

    /** An index constant (INT64 or INT32) as longs. */
    static long[] ints(OnnxNode node, OnnxTensor t) {
        if (t.longs() == null || t.rank() > 1) throw node.refuse("'" + t.name() + "' " + t.shape() + " must be a list of integers");
        return t.longs();
    }

    /** A possibly negative axis of a tensor of the given rank, or -1 when out of range. */
    static long normalise(long axis, int rank) {
        long a = axis < 0 ? axis + rank : axis;
        return a >= 0 && a < rank ? a : -1;
    }
}
