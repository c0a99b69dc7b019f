package org.vecrnn.io;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * One named tensor of a safetensors file: its dtype, shape and a read-only view of its bytes (in the file's
 * data block when it was read, so valid while the file is open).
 *
 * @param name the tensor's name in the file
 * @param dtype its element type
 * @param shape its dimensions, outer first
 * @param data its little-endian bytes
 */
public record Tensor(String name, DType dtype, long[] shape, MemorySegment data) {
    static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfDouble F64_LE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** {@return the number of elements, the product of the shape} */
    public long elements() {
        long e = 1;
        for (long s : shape) e *= s;
        return e;
    }

    /** {@return the number of dimensions} */
    public int rank() {
        return shape.length;
    }

    /** {@return the shape as "[2, 3]", for messages} */
    public String shapeString() {
        return Arrays.toString(shape);
    }

    /**
     * {@return the values as floats, a heap copy}
     *
     * @throws IllegalArgumentException when the tensor is not F32
     */
    public float[] floats() {
        if (dtype != DType.F32) throw new IllegalArgumentException("tensor '" + name + "' is " + dtype + ", expected F32");
        return data.toArray(F32_LE);
    }

    /**
     * {@return the values as doubles, a heap copy}
     *
     * @throws IllegalArgumentException when the tensor is not F64
     */
    public double[] doubles() {
        if (dtype != DType.F64) throw new IllegalArgumentException("tensor '" + name + "' is " + dtype + ", expected F64");
        return data.toArray(F64_LE);
    }

    /**
     * {@return the values as bytes, a heap copy}
     *
     * @throws IllegalArgumentException when the tensor is not I8
     */
    public byte[] bytes() {
        if (dtype != DType.I8) throw new IllegalArgumentException("tensor '" + name + "' is " + dtype + ", expected I8");
        return data.toArray(ValueLayout.JAVA_BYTE);
    }

    /**
     * {@return whether the shape is exactly that}
     *
     * @param dims a shape
     */
    public boolean hasShape(long... dims) {
        return Arrays.equals(shape, dims);
    }

    /**
     * {@return an F32 tensor}
     *
     * @param name the tensor's name
     * @param values its elements, not copied: the tensor is a view of the array
     * @param shape its dimensions (the writer checks that they match the values)
     */
    public static Tensor of(String name, float[] values, long... shape) {
        return new Tensor(name, DType.F32, shape, MemorySegment.ofArray(values));
    }

    /**
     * {@return an I8 tensor}
     *
     * @param name the tensor's name
     * @param values its elements, not copied
     * @param shape its dimensions
     */
    public static Tensor of(String name, byte[] values, long... shape) {
        return new Tensor(name, DType.I8, shape, MemorySegment.ofArray(values));
    }

    /**
     * {@return an F32 tensor of shape [1]}
     *
     * @param name the tensor's name
     * @param value its one element
     */
    public static Tensor scalar(String name, float value) {
        return of(name, new float[] {value});
    }
}
