package org.vecrnn.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.vecrnn.onnx.proto.OnnxProto.TensorProto;

/**
 * A constant of the graph (an initializer or a {@code Constant} node's value) decoded and checked: FLOAT
 * tensors become floats (all finite), INT64 and INT32 tensors become longs. Sizes are checked against the
 * bytes present before anything is allocated.
 */
record OnnxTensor(String name, long[] dims, float[] floats, long[] longs) {
    /** A weight matrix of a large model stays far below this; it keeps one float[] addressable. */
    static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    static OnnxTensor decode(TensorProto t, String what) {
        String name = what + " '" + t.getName() + "'";
        if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL || t.getExternalDataCount() > 0)
            throw new OnnxRefusal(name + " keeps its data in an external file; vecrnn reads only self-contained .onnx files "
                    + "(save with onnx.save_model(m, path, save_as_external_data=False))");
        long[] dims = new long[t.getDimsCount()];
        long count = 1;
        for (int i = 0; i < dims.length; i++) {
            dims[i] = t.getDims(i);
            if (dims[i] < 0 || dims[i] > MAX_ELEMENTS) throw new OnnxRefusal(name + " has dimension " + dims[i] + " in shape " + t.getDimsList());
            count *= dims[i]; // both factors <= 2^31, and the running count is checked below, so no overflow
            if (count > MAX_ELEMENTS) throw new OnnxRefusal(name + " declares " + t.getDimsList() + ", more than " + MAX_ELEMENTS + " elements");
        }
        int n = (int) count;
        return switch (t.getDataType()) {
            case TensorProto.DataType.FLOAT_VALUE -> new OnnxTensor(t.getName(), dims, floats(t, name, n), null);
            case TensorProto.DataType.INT64_VALUE -> new OnnxTensor(t.getName(), dims, null, integers(t, name, n, true));
            case TensorProto.DataType.INT32_VALUE -> new OnnxTensor(t.getName(), dims, null, integers(t, name, n, false));
            default -> throw new OnnxRefusal(name + " has data type " + dataType(t.getDataType())
                    + "; vecrnn reads FLOAT weights and INT64 or INT32 indices");
        };
    }

    private static float[] floats(TensorProto t, String name, int n) {
        requireCount(t, name, n, t.getFloatDataCount(), Float.BYTES, "floats");
        float[] v = new float[n];
        if (t.hasRawData()) raw(t).asFloatBuffer().get(v);
        else for (int i = 0; i < n; i++) v[i] = t.getFloatData(i);
        for (int i = 0; i < n; i++)
            if (!Float.isFinite(v[i])) throw new OnnxRefusal(name + " holds " + v[i] + " at index " + i + ": weights must be finite");
        return v;
    }

    /** INT64 ({@code wide}) or INT32 values as longs. */
    private static long[] integers(TensorProto t, String name, int n, boolean wide) {
        requireCount(t, name, n, wide ? t.getInt64DataCount() : t.getInt32DataCount(), wide ? Long.BYTES : Integer.BYTES, wide ? "int64 values" : "int32 values");
        long[] v = new long[n];
        ByteBuffer b = t.hasRawData() ? raw(t) : null;
        for (int i = 0; i < n; i++)
            v[i] = b != null ? (wide ? b.getLong(i * Long.BYTES) : b.getInt(i * Integer.BYTES)) : wide ? t.getInt64Data(i) : t.getInt32Data(i);
        return v;
    }

    /** The data present (raw bytes of {@code width} each, or {@code listed} typed values) must be the shape's {@code n}: checked before allocating. */
    private static void requireCount(TensorProto t, String name, int n, int listed, int width, String what) {
        if (t.hasRawData() ? t.getRawData().size() != (long) n * width : listed != n)
            throw new OnnxRefusal(name + " holds " + (t.hasRawData() ? t.getRawData().size() + " bytes of data" : listed + " " + what)
                    + ", its shape " + t.getDimsList() + " needs " + (t.hasRawData() ? (long) n * width : n));
    }

    /** ONNX stores raw data little-endian whatever the machine. */
    private static ByteBuffer raw(TensorProto t) {
        return t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    static String dataType(int code) {
        TensorProto.DataType d = TensorProto.DataType.forNumber(code);
        return d == null ? "#" + code : d.name();
    }

    boolean isFloat() {
        return floats != null;
    }

    int rank() {
        return dims.length;
    }

    long elements() {
        long e = 1;
        for (long s : dims) e *= s;
        return e;
    }

    boolean hasShape(long... want) {
        return Arrays.equals(dims, want);
    }

    String shape() {
        return Arrays.toString(dims);
    }
}
