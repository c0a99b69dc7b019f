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
            case TensorProto.DataType.INT64_VALUE -> new OnnxTensor(t.getName(), dims, null, int64s(t, name, n));
            case TensorProto.DataType.INT32_VALUE -> new OnnxTensor(t.getName(), dims, null, int32s(t, name, n));
            default -> throw new OnnxRefusal(name + " has data type " + dataType(t.getDataType())
                    + "; vecrnn reads FLOAT weights and INT64 or INT32 indices");
        };
    }

    private static float[] floats(TensorProto t, String name, int n) {
        if (t.hasRawData()) requireBytes(t, name, n, Float.BYTES);
        else if (t.getFloatDataCount() != n) throw new OnnxRefusal(name + " holds " + t.getFloatDataCount() + " floats, its shape " + t.getDimsList() + " needs " + n);
        float[] v = new float[n];
        if (t.hasRawData()) {
            raw(t).asFloatBuffer().get(v);
        } else {
            for (int i = 0; i < n; i++) v[i] = t.getFloatData(i);
        }
        for (int i = 0; i < n; i++)
            if (!Float.isFinite(v[i])) throw new OnnxRefusal(name + " holds " + v[i] + " at index " + i + ": weights must be finite");
        return v;
    }

    private static long[] int64s(TensorProto t, String name, int n) {
        if (t.hasRawData()) requireBytes(t, name, n, Long.BYTES);
        else if (t.getInt64DataCount() != n) throw new OnnxRefusal(name + " holds " + t.getInt64DataCount() + " int64 values, its shape " + t.getDimsList() + " needs " + n);
        long[] v = new long[n];
        if (t.hasRawData()) {
            raw(t).asLongBuffer().get(v);
        } else {
            for (int i = 0; i < n; i++) v[i] = t.getInt64Data(i);
        }
        return v;
    }

    private static long[] int32s(TensorProto t, String name, int n) {
        if (t.hasRawData()) requireBytes(t, name, n, Integer.BYTES);
        else if (t.getInt32DataCount() != n) throw new OnnxRefusal(name + " holds " + t.getInt32DataCount() + " int32 values, its shape " + t.getDimsList() + " needs " + n);
        long[] v = new long[n];
        if (t.hasRawData()) {
            var b = raw(t).asIntBuffer();
            for (int i = 0; i < n; i++) v[i] = b.get(i);
        } else {
            for (int i = 0; i < n; i++) v[i] = t.getInt32Data(i);
        }
        return v;
    }

    private static void requireBytes(TensorProto t, String name, int n, int width) {
        if (t.getRawData().size() != (long) n * width)
            throw new OnnxRefusal(name + " holds " + t.getRawData().size() + " bytes of data, its shape " + t.getDimsList() + " needs " + (long) n * width);
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
