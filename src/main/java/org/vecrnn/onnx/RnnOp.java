package org.vecrnn.onnx;

import java.util.List;
import java.util.Set;

/**
 * ONNX {@code RNN}: one forward Elman layer, tanh or relu, layout 0 ([T, B, ·]) or 1 ([B, T, ·]). Inputs X, W
 * [1, d, n], R [1, d, d], optional B [1, 2d], no sequence_lens, optional initial_h; outputs Y and Y_h.
 */
final class RnnOp {
    private RnnOp() {}

    /** Attributes with no meaning for vecrnn's layers (clip, activation_alpha/beta) are refused by name. */
    private static final Set<String> ATTRIBUTES = Set.of("activations", "direction", "hidden_size", "layout");

    static Value[] map(OnnxNode node, WalkState state) {
        node.onlyAttributes(ATTRIBUTES);
        String direction = node.stringAttribute("direction", "forward");
        if (!direction.equals("forward")) throw node.refuse("RNN direction " + direction + " is not supported (vecrnn runs forward layers)");
        String f = nonlinearity(node);
        long layout = node.intAttribute("layout", 0);
        if (layout != 0 && layout != 1) throw node.refuse("layout " + layout + " is not an RNN layout (0 or 1)");
        if (node.inputCount() > 6) throw node.refuse("has " + node.inputCount() + " inputs; RNN takes at most 6");
        if (node.input(4) != null) throw node.refuse("sequence_lens is not supported: every sequence of a batch runs all T steps");

        OnnxTensor w = weights(node, 1, "W");
        int d = Math.toIntExact(w.dims()[1]), n = Math.toIntExact(w.dims()[2]);
        OnnxTensor r = weights(node, 2, "R");
        if (r.dims()[1] != d || r.dims()[2] != d) throw node.refuse("R has shape " + r.shape() + ", expected [1, " + d + ", " + d + "] from W " + w.shape());
        long hidden = node.intAttribute("hidden_size", d);
        if (hidden != d) throw node.refuse("hidden_size is " + hidden + " but W " + w.shape() + " has " + d + " rows");
        float[] biasIh = new float[d], biasHh = new float[d];
        if (node.input(3) != null) {
            OnnxTensor b = node.constant(3, "B");
            if (!b.isFloat() || !b.hasShape(1, 2L * d)) throw node.refuse("B has shape " + b.shape() + ", expected [1, " + 2L * d + "]");
            System.arraycopy(b.floats(), 0, biasIh, 0, d);
            System.arraycopy(b.floats(), d, biasHh, 0, d);
        }

        int level = level(node, state, (int) layout, n);
        RnnLayer twin = state.layer(level);
        if (twin != null) throw node.refuse("reads the same input as RNN node \"" + twin.node() + "\"; vecrnn runs one chain of layers");
        String initial = initialState(node, state, level, (int) layout);
        state.addLayer(new RnnLayer(node.name(), level, n, d, w.floats(), r.floats(), biasIh, biasHh, f, (int) layout, initial));
        return new Value[] {new Value.RnnOutput(level, (int) layout), new Value.FinalState(level, layout == 1)};
    }

    private static String nonlinearity(OnnxNode node) {
        List<String> acts = node.stringsAttribute("activations");
        if (acts == null) return "tanh";
        if (acts.size() != 1) throw node.refuse("activations " + acts + " name " + acts.size() + " functions; a forward Elman layer has one");
        return switch (acts.get(0)) {
            case "Tanh" -> "tanh";
            case "Relu" -> "relu";
            default -> throw node.refuse("activation " + acts.get(0) + " is not supported (Tanh or Relu)");
        };
    }

    /** W or R: a FLOAT constant [1, rows, cols], one direction. */
    private static OnnxTensor weights(OnnxNode node, int input, String role) {
        OnnxTensor t = node.constant(input, role);
        if (!t.isFloat() || t.rank() != 3 || t.dims()[0] != 1 || t.dims()[1] < 1 || t.dims()[2] < 1)
            throw node.refuse(role + " has shape " + t.shape() + (t.isFloat() ? "" : " and is not FLOAT") + ", expected [1, hidden, "
                    + (role.equals("W") ? "input" : "hidden") + "] (one direction)");
        return t;
    }

    /** Which layer this node is: 1 when X is the graph's input, else one above the layer whose states it reads. */
    private static int level(OnnxNode node, WalkState state, int layout, int n) {
        Value x = node.required(0, "X");
        if (x instanceof Value.GraphInput in) {
            if (state.x != null && !state.x.equals(in.name()))
                throw node.refuse("X is the graph input '" + in.name() + "', but the first layer reads '" + state.x + "'");
            if (state.wholeStateInputs.contains(in.name())) throw node.refuse("X is '" + in.name() + "', which is also an initial state");
            long[] dims = in.declared();
            if (dims != null && dims.length != 3) throw node.refuse("X '" + in.name() + "' is declared with rank " + dims.length + ", expected 3");
            if (dims != null && dims[2] > 0 && dims[2] != n)
                throw node.refuse("X '" + in.name() + "' is declared with " + dims[2] + " features, W expects " + n);
            state.x = in.name();
            state.xTimeMajor = (layout == 0) != in.swapped();
            return 1;
        }
        if (x instanceof Value.Sequence s) {
            if (s.timeMajor() != (layout == 0))
                throw node.refuse("X is " + s.describe() + " but layout " + layout + " reads " + (layout == 0 ? "[T, B, ·]" : "[B, T, ·]"));
            RnnLayer below = state.layer(s.level());
            if (below.d() != n) throw node.refuse("W has " + n + " columns, the layer below has " + below.d() + " units");
            return s.level() + 1;
        }
        throw node.refuse("X must be the graph's input sequence or the states of the layer below, it is " + x.describe());
    }

    /** initial_h: absent (zeros), a graph input of its own, or this layer's slot of a stacked one; returns its name. */
    private static String initialState(OnnxNode node, WalkState state, int level, int layout) {
        Value h = node.input(5);
        if (h == null || h instanceof Value.Zeros) return null;
        if (h instanceof Value.GraphInput in && !in.swapped()) {
            if (in.name().equals(state.x)) throw node.refuse("initial_h is '" + in.name() + "', the input sequence");
            if (state.wholeStateInputs.contains(in.name()))
                throw node.refuse("initial_h '" + in.name() + "' is already another layer's initial state");
            state.wholeStateInputs.add(in.name());
            return in.name();
        }
        if (h instanceof Value.StateSlot s) {
            if (s.layer() != level - 1)
                throw node.refuse("initial_h is " + s.describe() + ", but this is layer " + level + " (slot " + (level - 1) + ")");
            if (s.batchMajor() != (layout == 1))
                throw node.refuse("initial_h is " + s.describe() + ", but layout " + layout + " reads " + (layout == 0 ? "[1, B, d]" : "[B, 1, d]"));
            return s.input() + "[" + s.layer() + "]";
        }
        throw node.refuse("initial_h must be a graph input or its slot for this layer, it is " + h.describe());
    }
}
