package org.vecrnn.onnx;

import org.vecrnn.model.Output;

/**
 * What a tensor of the graph means for the RNN-plus-head pattern. The graph walk gives every value one of
 * these; an op handler accepts only the meanings it can map and refuses the rest, so whatever survives the
 * walk is an Elman stack with one head.
 */
sealed interface Value {
    /** A short phrase for messages ("layer 2's states, time-major"). */
    String describe();

    /** An initializer or a Constant node's output. */
    record Constant(OnnxTensor tensor) implements Value {
        public String describe() {
            return "the constant '" + tensor.name() + "' " + tensor.shape();
        }
    }

    /**
     * A graph input that is not an initializer, as given or with its first two axes swapped. Its role (the
     * sequence x or an initial state) is settled by the node that reads it.
     */
    record GraphInput(String name, long[] declared, boolean swapped) implements Value {
        public String describe() {
            return "the graph input '" + name + "'" + (swapped ? " transposed" : "");
        }
    }

    /**
     * Integers computed from tensor shapes (Shape, then Gather, Unsqueeze, Concat, Cast): how PyTorch sizes the
     * zero initial state of an RNN called without one. Only ConstantOfShape reads them.
     */
    record ShapeInts() implements Value {
        public String describe() {
            return "integers computed from shapes";
        }
    }

    /** A tensor of zeros (ConstantOfShape with value 0): as an initial state, the same as none. */
    record Zeros() implements Value {
        public String describe() {
            return "zeros";
        }
    }

    /** A sequence of states [T, B, d] (time-major) or [B, T, d] of layer {@code level} (level 0 is never one). */
    record Sequence(int level, boolean timeMajor) implements Value {
        public String describe() {
            return "layer " + level + "'s states, " + (timeMajor ? "[T, B, d]" : "[B, T, d]");
        }
    }

    /** The Y output of layer {@code level}'s RNN node: [T, 1, B, d] for layout 0, [B, T, 1, d] for layout 1. */
    record RnnOutput(int level, int layout) implements Value {
        public String describe() {
            return "the Y output of layer " + level + " (layout " + layout + ")";
        }
    }

    /** The Y_h output of layer {@code level}: [1, B, d], or [B, 1, d] when {@code batchMajor}. */
    record FinalState(int level, boolean batchMajor) implements Value {
        public String describe() {
            return "layer " + level + "'s final state" + (batchMajor ? " [B, 1, d]" : " [1, B, d]");
        }
    }

    /** Final states of layers {@code from..to} stacked on axis 0: [layers, B, d]. */
    record FinalStates(int from, int to) implements Value {
        public String describe() {
            return "the final states of layers " + from + " to " + to;
        }
    }

    /** Slot {@code layer} (from 0) of a stacked initial-state input, [1, B, d], or [B, 1, d] when {@code batchMajor}. */
    record StateSlot(String input, long layer, boolean batchMajor) implements Value {
        public String describe() {
            return "slot " + layer + " of the graph input '" + input + "'" + (batchMajor ? " transposed" : "");
        }
    }

    /** The last step's state of layer {@code level}: [B, d]. */
    record LastStep(int level) implements Value {
        public String describe() {
            return "layer " + level + "'s last state [B, d]";
        }
    }

    /**
     * {@code V h + b} on the states of layer {@code level} (each step, or the last step only). V is [k, d]
     * row-major; b is null until an Add or Gemm gives it.
     */
    record Affine(int level, boolean lastStepOnly, int k, int d, float[] V, float[] b) implements Value {
        public String describe() {
            return "the head V h + b on layer " + level + (b == null ? " (no bias yet)" : "");
        }
    }

    /** The head with its output activation: the model's o. */
    record Head(Affine affine, Output g) implements Value {
        public String describe() {
            return g.id() + "(V h + b)";
        }
    }
}
