package org.vecrnn.onnx;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.vecrnn.onnx.proto.OnnxProto.AttributeProto;
import org.vecrnn.onnx.proto.OnnxProto.NodeProto;

/**
 * One node of the graph as the op handlers see it: its name, op type, the values of its inputs (already
 * recognised by the graph walk) and typed access to its attributes, every access checked.
 */
final class OnnxNode {
    private final NodeProto proto;
    private final List<Value> inputs;
    private final Map<String, AttributeProto> attributes = new LinkedHashMap<>();
    final int opset;

    OnnxNode(NodeProto proto, List<Value> inputs, int opset) {
        this.proto = proto;
        this.inputs = inputs;
        this.opset = opset;
        for (AttributeProto a : proto.getAttributeList())
            if (attributes.put(a.getName(), a) != null) throw OnnxRefusal.node(this, "attribute " + a.getName() + " is given twice");
    }

    String name() {
        return proto.getName();
    }

    String op() {
        return proto.getOpType();
    }

    /** {@code node "NAME": op OP}, or the first output's name for a node without a name. */
    String label() {
        String name = proto.getName().isEmpty() && proto.getOutputCount() > 0 ? "output " + proto.getOutput(0) : proto.getName();
        return "node \"" + name + "\": op " + proto.getOpType();
    }

    int inputCount() {
        return inputs.size();
    }

    /** The value of input i, or null when it is absent (beyond the list, or given as the empty name). */
    Value input(int i) {
        return i < inputs.size() ? inputs.get(i) : null;
    }

    /** Input i, which the op requires. */
    Value required(int i, String role) {
        Value v = input(i);
        if (v == null) throw refuse("input " + i + " (" + role + ") is missing");
        return v;
    }

    /** Input i as a constant (an initializer or a Constant node's output). */
    OnnxTensor constant(int i, String role) {
        if (required(i, role) instanceof Value.Constant c) return c.tensor();
        throw refuse(role + " (input " + i + ") must be a constant, it is " + input(i).describe());
    }

    /** Refuses every attribute outside {@code known}, naming it. */
    void onlyAttributes(Set<String> known) {
        for (String a : attributes.keySet())
            if (!known.contains(a)) throw refuse(a + " attribute not supported");
    }

    boolean has(String attribute) {
        return attributes.containsKey(attribute);
    }

    long intAttribute(String name, long fallback) {
        AttributeProto a = attributes.get(name);
        if (a == null) return fallback;
        if (a.getType() != AttributeProto.AttributeType.INT) throw refuse("attribute " + name + " must be an int, it is " + a.getType());
        return a.getI();
    }

    float floatAttribute(String name, float fallback) {
        AttributeProto a = attributes.get(name);
        if (a == null) return fallback;
        if (a.getType() != AttributeProto.AttributeType.FLOAT) throw refuse("attribute " + name + " must be a float, it is " + a.getType());
        return a.getF();
    }

    String stringAttribute(String name, String fallback) {
        AttributeProto a = attributes.get(name);
        if (a == null) return fallback;
        if (a.getType() != AttributeProto.AttributeType.STRING) throw refuse("attribute " + name + " must be a string, it is " + a.getType());
        return a.getS().toString(StandardCharsets.UTF_8);
    }

    /** An INTS attribute, or null when absent. */
    long[] intsAttribute(String name) {
        AttributeProto a = attributes.get(name);
        if (a == null) return null;
        if (a.getType() != AttributeProto.AttributeType.INTS) throw refuse("attribute " + name + " must be a list of ints, it is " + a.getType());
        return a.getIntsList().stream().mapToLong(Long::longValue).toArray();
    }

    /** A STRINGS attribute, or null when absent. */
    List<String> stringsAttribute(String name) {
        AttributeProto a = attributes.get(name);
        if (a == null) return null;
        if (a.getType() != AttributeProto.AttributeType.STRINGS) throw refuse("attribute " + name + " must be a list of strings, it is " + a.getType());
        List<String> s = new ArrayList<>();
        for (var b : a.getStringsList()) s.add(b.toString(StandardCharsets.UTF_8));
        return s;
    }

    /** A TENSOR attribute, or null when absent. */
    OnnxTensor tensorAttribute(String name) {
        AttributeProto a = attributes.get(name);
        if (a == null) return null;
        if (a.getType() != AttributeProto.AttributeType.TENSOR || !a.hasT()) throw refuse("attribute " + name + " must be a tensor, it is " + a.getType());
        return OnnxTensor.decode(a.getT(), label() + ": value");
    }

    OnnxRefusal refuse(String why) {
        return OnnxRefusal.node(this, why);
    }
}
