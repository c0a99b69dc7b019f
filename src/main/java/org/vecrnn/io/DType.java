package org.vecrnn.io;

/** The safetensors element types vecrnn reads and writes (little-endian). */
public enum DType {
    F64(8), F32(4), I8(1);

    private final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    public int bytes() {
        return bytes;
    }

    /** The dtype of that name, or null when vecrnn does not know it. */
    static DType byName(String s) {
        for (DType t : values()) if (t.name().equals(s)) return t;
        return null;
    }
}
