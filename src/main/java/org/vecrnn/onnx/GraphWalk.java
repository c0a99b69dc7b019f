package org.vecrnn.onnx;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.vecrnn.model.Output;
import org.vecrnn.onnx.proto.OnnxProto.GraphProto;
import org.vecrnn.onnx.proto.OnnxProto.ModelProto;
import org.vecrnn.onnx.proto.OnnxProto.NodeProto;
import org.vecrnn.onnx.proto.OnnxProto.OperatorSetIdProto;
import org.vecrnn.onnx.proto.OnnxProto.TensorProto;
import org.vecrnn.onnx.proto.OnnxProto.ValueInfoProto;

/**
 * Walks a graph in its (topological) node order, giving every value its meaning through the op handlers,
 * then picks the model's output among the graph outputs and checks that the layers form one stack under
 * one head. Knows nothing of any op itself.
 */
final class GraphWalk {
    private GraphWalk() {}

    /** The oldest opset with RNN as vecrnn reads it (version 7: the current inputs and attributes). */
    static final long MIN_OPSET = 7;

    static OnnxRnn recognise(ModelProto model) {
        if (!model.hasGraph()) throw new OnnxRefusal("is not an ONNX model: it has no graph");
        int opset = opset(model);
        GraphProto g = model.getGraph();
        Map<String, Value> values = new HashMap<>();
        for (TensorProto t : g.getInitializerList()) define(values, t.getName(), new Value.Constant(OnnxTensor.decode(t, "initializer")), "initializer");
        for (ValueInfoProto in : g.getInputList()) {
            if (values.containsKey(in.getName())) continue; // an initializer also listed as an input (IR < 4): a constant
            int type = in.getType().getTensorType().getElemType();
            if (type != TensorProto.DataType.FLOAT_VALUE)
                throw new OnnxRefusal("graph input '" + in.getName() + "' is " + OnnxTensor.dataType(type) + ", expected FLOAT");
            define(values, in.getName(), new Value.GraphInput(in.getName(), declared(in), false), "graph input");
        }
        WalkState state = new WalkState();
        List<String> nodes = new ArrayList<>();
        for (NodeProto p : g.getNodeList()) {
            List<Value> inputs = new ArrayList<>(p.getInputCount());
            for (String name : p.getInputList()) {
                if (name.isEmpty()) {
                    inputs.add(null);
                    continue;
                }
                Value v = values.get(name);
                if (v == null)
                    throw new OnnxRefusal("node \"" + p.getName() + "\": op " + p.getOpType() + " reads '" + name
                            + "', which no earlier node, graph input or initializer gives (an unsupported output, or nodes out of order)");
                inputs.add(v);
            }
            OnnxNode node = new OnnxNode(p, inputs, opset);
            if (!p.getDomain().isEmpty() && !p.getDomain().equals("ai.onnx"))
                throw node.refuse("domain '" + p.getDomain() + "' is not supported (only the standard ONNX ops)");
            Value[] outputs = Ops.handler(node).map(node, state);
            for (int i = 0; i < p.getOutputCount(); i++) {
                String name = p.getOutput(i);
                if (name.isEmpty()) continue;
                if (i >= outputs.length || outputs[i] == null) throw node.refuse("output " + i + " ('" + name + "') is not supported");
                define(values, name, outputs[i], node.label());
            }
            nodes.add(p.getOpType());
        }
        if (state.layers.isEmpty()) throw new OnnxRefusal("has no RNN node: vecrnn imports Elman RNN graphs (one ONNX RNN node per layer)");

        Map<String, Value> outputs = new LinkedHashMap<>();
        for (ValueInfoProto out : g.getOutputList()) {
            Value v = values.get(out.getName());
            if (v == null) throw new OnnxRefusal("graph output '" + out.getName() + "' is produced by no node");
            outputs.put(out.getName(), v);
        }
        Map.Entry<String, Value.Head> head = pickHead(outputs);
        check(state, head.getValue());
        return new OnnxRnn(opset, model.getProducerName() + " " + model.getProducerVersion(), nodes, declaredInputs(g, values), outputs,
                state.x, state.xTimeMajor, List.copyOf(state.layers.values()), head.getKey(), head.getValue());
    }

    private static int opset(ModelProto model) {
        for (OperatorSetIdProto o : model.getOpsetImportList())
            if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) {
                if (o.getVersion() < MIN_OPSET || o.getVersion() > 1000)
                    throw new OnnxRefusal("uses opset " + o.getVersion() + "; vecrnn reads opset " + MIN_OPSET + " and later");
                return (int) o.getVersion();
            }
        throw new OnnxRefusal("imports no opset of the standard ONNX domain");
    }

    private static void define(Map<String, Value> values, String name, Value v, String by) {
        if (name.isEmpty()) throw new OnnxRefusal(by + " has an empty name");
        if (values.putIfAbsent(name, v) != null) throw new OnnxRefusal(by + " defines '" + name + "' a second time");
    }

    /** The declared dims of a graph input (-1 where symbolic or absent), or null when it declares no shape. */
    private static long[] declared(ValueInfoProto in) {
        var t = in.getType().getTensorType();
        if (!t.hasShape()) return null;
        long[] dims = new long[t.getShape().getDimCount()];
        for (int i = 0; i < dims.length; i++) {
            var dim = t.getShape().getDim(i);
            dims[i] = dim.hasDimValue() ? dim.getDimValue() : -1;
        }
        return dims;
    }

    private static Map<String, long[]> declaredInputs(GraphProto g, Map<String, Value> values) {
        Map<String, long[]> m = new LinkedHashMap<>();
        for (ValueInfoProto in : g.getInputList())
            if (values.get(in.getName()) instanceof Value.GraphInput gi) m.put(in.getName(), gi.declared());
        return m;
    }

    /**
     * The model's output: the graph output named "o" when it is a head, else the one head output, or the one
     * with an activation when the others are the same head without it (PyTorch's z beside o).
     */
    private static Map.Entry<String, Value.Head> pickHead(Map<String, Value> outputs) {
        Map<String, Value.Head> heads = new LinkedHashMap<>();
        outputs.forEach((name, v) -> {
            if (v instanceof Value.Head h) heads.put(name, h);
            else if (v instanceof Value.Affine a) heads.put(name, new Value.Head(a, Output.IDENTITY));
        });
        if (heads.isEmpty())
            throw new OnnxRefusal("has no head among its outputs " + outputs.keySet() + ": vecrnn models end in V h + b (MatMul + Add or Gemm) after the last layer");
        if (heads.containsKey("o")) return Map.entry("o", heads.get("o"));
        if (heads.size() == 1) return heads.entrySet().iterator().next();
        List<Map.Entry<String, Value.Head>> activated = heads.entrySet().stream().filter(e -> e.getValue().g() != Output.IDENTITY).toList();
        Value.Affine first = heads.values().iterator().next().affine();
        boolean oneHead = heads.values().stream().allMatch(h -> h.affine() == first);
        if (oneHead && activated.size() <= 1) return activated.isEmpty() ? heads.entrySet().iterator().next() : activated.get(0);
        throw new OnnxRefusal("outputs " + heads.keySet() + " are different heads; name the model's output 'o'");
    }

    private static void check(WalkState state, Value.Head head) {
        RnnLayer first = state.layers.firstEntry().getValue();
        int top = state.layers.lastKey();
        for (RnnLayer l : state.layers.values()) {
            if (l.d() != first.d())
                throw new OnnxRefusal("RNN node \"" + l.node() + "\" has " + l.d() + " units, \"" + first.node() + "\" has " + first.d() + "; vecrnn's layers share one size");
            if (!l.nonlinearity().equals(first.nonlinearity()))
                throw new OnnxRefusal("RNN node \"" + l.node() + "\" runs " + l.nonlinearity() + ", \"" + first.node() + "\" runs " + first.nonlinearity()
                        + "; vecrnn runs one nonlinearity in every layer");
        }
        if (head.affine().level() != top)
            throw new OnnxRefusal("the head reads layer " + head.affine().level() + " of " + top + "; vecrnn's head reads the last layer");
    }
}
