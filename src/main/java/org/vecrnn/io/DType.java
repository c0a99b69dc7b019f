package org.vecrnn.io;

/** The safetensors element types vecrnn reads and writes (little-endian). */
public enum DType {
    /** 64-bit float (reference cases and gradients). */
    F64(8),
    /** 32-bit float (weights, inputs, outputs, scales). */
    F32(4),
    /** 8-bit signed integer (quantized weights). */
    I8(1);

    private final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    /** {@return the bytes of one element} */
    public int bytes() {
        return bytes;
    }

    /** The dtype of that name, or null when vecrnn does not know it. */
    static DType byName(String s) {
        for (DType t : values()) if (t.name().equals(s)) return t;
        return null;
    }
}
