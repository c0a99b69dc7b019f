package org.vecrnn.onnx;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.vecrnn.onnx.proto.OnnxProto.AttributeProto;
import org.vecrnn.onnx.proto.OnnxProto.GraphProto;
import org.vecrnn.onnx.proto.OnnxProto.ModelProto;
import org.vecrnn.onnx.proto.OnnxProto.NodeProto;
import org.vecrnn.onnx.proto.OnnxProto.OperatorSetIdProto;
import org.vecrnn.onnx.proto.OnnxProto.TensorProto;
import org.vecrnn.onnx.proto.OnnxProto.TensorShapeProto;
import org.vecrnn.onnx.proto.OnnxProto.TypeProto;
import org.vecrnn.onnx.proto.OnnxProto.ValueInfoProto;

/** Builds ONNX graphs: nodes, initializers (raw little-endian data) and typed inputs and outputs. */
final class OnnxGraph {
    private final GraphProto.Builder graph = GraphProto.newBuilder();

    OnnxGraph(String name) {
        graph.setName(name);
    }

    OnnxGraph floats(String name, float[] values, long... dims) {
        ByteBuffer b = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        graph.addInitializer(tensor(name, TensorProto.DataType.FLOAT, dims).setRawData(ByteString.copyFrom(b.array())));
        return this;
    }

    OnnxGraph int64s(String name, long... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(values);
        graph.addInitializer(tensor(name, TensorProto.DataType.INT64, values.length).setRawData(ByteString.copyFrom(b.array())));
        return this;
    }

    private static TensorProto.Builder tensor(String name, TensorProto.DataType type, long... dims) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(type.getNumber());
        for (long d : dims) t.addDims(d);
        return t;
    }

    /** A node; {@code attributes} from {@link #attr}, {@link #ints} and {@link #strings}. */
    OnnxGraph node(String op, String name, List<String> inputs, List<String> outputs, AttributeProto... attributes) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(inputs).addAllOutput(outputs);
        for (AttributeProto a : attributes) n.addAttribute(a);
        graph.addNode(n);
        return this;
    }

    static AttributeProto attr(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    static AttributeProto attr(String name, String value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
                .setS(ByteString.copyFrom(value, StandardCharsets.UTF_8)).build();
    }

    static AttributeProto ints(String name, long... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) a.addInts(v);
        return a.build();
    }

    static AttributeProto strings(String name, String... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRINGS);
        for (String v : values) a.addStrings(ByteString.copyFrom(v, StandardCharsets.UTF_8));
        return a.build();
    }

    /** A FLOAT graph input; each dim a Long (a size) or a String (a symbolic one such as "B"). */
    OnnxGraph input(String name, Object... dims) {
        graph.addInput(valueInfo(name, dims));
        return this;
    }

    OnnxGraph output(String name, Object... dims) {
        graph.addOutput(valueInfo(name, dims));
        return this;
    }

    private static ValueInfoProto valueInfo(String name, Object... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (Object d : dims) {
            var dim = TensorShapeProto.Dimension.newBuilder();
            if (d instanceof String s) dim.setDimParam(s);
            else dim.setDimValue(((Number) d).longValue());
            shape.addDim(dim);
        }
        TypeProto type = TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder()
                .setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(shape)).build();
        return ValueInfoProto.newBuilder().setName(name).setType(type).build();
    }

    /** The model: IR version 7 (the first with opset 14), the standard domain at {@code opset}. */
    ModelProto model(long opset, String producerVersion) {
        return ModelProto.newBuilder().setIrVersion(7).setProducerName("vecrnn").setProducerVersion(producerVersion)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset)).setGraph(graph).build();
    }
}
