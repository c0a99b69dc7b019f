package org.vecrnn.io;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * One named tensor of a safetensors file: its dtype, shape and a read-only view of its bytes (in the
 * file's data block when it was read, so valid while the file is open).
 */
public record Tensor(String name, DType dtype, long[] shape, MemorySegment data) {
    static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfDouble F64_LE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    public long elements() {
        long e = 1;
        for (long s : shape) e *= s;
        return e;
    }

    public int rank() {
        return shape.length;
    }

    /** The shape as "[2, 3]". */
    public String shapeString() {
        return Arrays.toString(shape);
    }

    /** The values as floats; the tensor must be F32 (a model or input file never holds another dtype there). */
    public float[] floats() {
        if (dtype != DType.F32) throw new IllegalArgumentException("tensor '" + name + "' is " + dtype + ", expected F32");
        return data.toArray(F32_LE);
    }

    public double[] doubles() {
        if (dtype != DType.F64) throw new IllegalArgumentException("tensor '" + name + "' is " + dtype + ", expected F64");
        return data.toArray(F64_LE);
    }

    public byte[] bytes() {
        if (dtype != DType.I8) throw new IllegalArgumentException("tensor '" + name + "' is " + dtype + ", expected I8");
        return data.toArray(ValueLayout.JAVA_BYTE);
    }

    /** Whether the shape is exactly {@code dims}. */
    public boolean hasShape(long... dims) {
        return Arrays.equals(shape, dims);
    }

    public static Tensor of(String name, float[] values, long... shape) {
        return new Tensor(name, DType.F32, shape, MemorySegment.ofArray(values));
    }

    public static Tensor of(String name, byte[] values, long... shape) {
        return new Tensor(name, DType.I8, shape, MemorySegment.ofArray(values));
    }

    public static Tensor scalar(String name, float value) {
        return of(name, new float[] {value});
    }
}
