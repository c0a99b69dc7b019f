package org.vecrnn.onnx;

/**
 * Maps one op type onto the RNN-plus-head pattern: from the meanings of a node's inputs to the meanings of
 * its outputs (one per output, null for an output the pattern never reads), or a refusal that says why.
 */
@FunctionalInterface
interface OpHandler {
    Value[] map(OnnxNode node, WalkState state);
}
