package org.vecrnn.onnx;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.vecrnn.io.Tensor;

/**
 * A graph recognised as an Elman stack with one head: its layers (from 1), the head and what the graph looks
 * like from outside. {@link #tensors()} gives the same tensors a PyTorch state dict of the model holds.
 */
record OnnxRnn(int opset, String producer, List<String> nodes, Map<String, long[]> inputs, Map<String, Value> outputs, String x, boolean xTimeMajor,
        List<RnnLayer> layers, String outputName, Value.Head head) {

    int n() {
        return layers.get(0).n();
    }

    int d() {
        return layers.get(0).d();
    }

    int k() {
        return head.affine().k();
    }

    /** {@code rnn.weight_ih_l{l}, rnn.weight_hh_l{l}, rnn.bias_ih_l{l}, rnn.bias_hh_l{l}} (l from 0), {@code head.weight, head.bias}. */
    Map<String, Tensor> tensors() {
        Map<String, Tensor> ts = new LinkedHashMap<>();
        for (RnnLayer l : layers) {
            int i = l.level() - 1;
            put(ts, "rnn.weight_ih_l" + i, l.U(), l.d(), l.n());
            put(ts, "rnn.weight_hh_l" + i, l.W(), l.d(), l.d());
            put(ts, "rnn.bias_ih_l" + i, l.biasIh(), l.d());
            put(ts, "rnn.bias_hh_l" + i, l.biasHh(), l.d());
        }
        Value.Affine a = head.affine();
        put(ts, "head.weight", a.V(), a.k(), a.d());
        put(ts, "head.bias", a.b() == null ? new float[a.k()] : a.b(), a.k());
        return ts;
    }

    private static void put(Map<String, Tensor> ts, String name, float[] values, long... shape) {
        ts.put(name, Tensor.of(name, values, shape));
    }

    Map<String, String> metadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("layers", Integer.toString(layers.size()));
        m.put("nonlinearity", layers.get(0).nonlinearity());
        m.put("output", head.g().id());
        return m;
    }

    /** What {@code vecrnn inspect} shows: the graph's interface, its nodes and the model it maps to. */
    List<String> describe() {
        List<String> lines = new ArrayList<>();
        lines.add("opset " + opset + ", written by " + producer.strip());
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String op : nodes) counts.merge(op, 1, Integer::sum);
        lines.add(nodes.size() + " nodes: " + counts.toString().replaceAll("[{}]", "").replace('=', '×'));
        inputs.forEach((name, dims) -> lines.add("input  " + name + " " + dims(dims) + (name.equals(x) ? "  (x, " + (xTimeMajor ? "[T, B, n]" : "[B, T, n]") + ")" : "")));
        outputs.forEach((name, v) -> lines.add("output " + name + "  " + (name.equals(outputName) ? "the model's o = " : "") + v.describe()));
        for (RnnLayer l : layers)
            lines.add(String.format("layer %d: RNN node \"%s\", %s, %d -> %d units, layout %d, initial state %s", l.level(), l.node(), l.nonlinearity(), l.n(), l.d(),
                    l.layout(), l.initialState() == null ? "zeros" : l.initialState()));
        lines.add(String.format("maps to: vecrnn model n=%d d=%d k=%d layers=%d nonlinearity=%s output=%s%s", n(), d(), k(), layers.size(),
                layers.get(0).nonlinearity(), head.g().id(), head.affine().lastStepOnly() ? " (the graph's head reads the last step only; vecrnn gives o at every step)" : ""));
        return lines;
    }

    private static String dims(long[] dims) {
        if (dims == null) return "[?]";
        return Arrays.stream(dims).mapToObj(v -> v < 0 ? "?" : Long.toString(v)).toList().toString();
    }
}
