package org.vecrnn.kafka;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.vecrnn.VecrnnException;

/**
 * The bytes of one key's state in the store (and its changelog topic). They outlive every deploy, so they
 * are versioned and say which model made them:
 * <pre>
 *   0  'V' 'R' 'S'          magic
 *   3  1                    layout version
 *   4  int32 layers         big-endian
 *   8  int32 d
 *  12  int32 size           values in the state ({@link ModelStamp#stateSize()})
 *  16  int64 fingerprint    of the model's weights ({@link ModelStamp})
 *  24  size float32 values  little-endian: the hidden states, layer 0 first, then any preprocessing state
 * </pre>
 */
public final class StateBytes {
    static final byte VERSION = 1;
    static final int HEADER = 24;

    private StateBytes() {}

    /**
     * {@return the header and the values, as the store keeps them}
     *
     * @param stamp the model that made the state
     * @param state stamp.stateSize() values, as {@link org.vecrnn.infer.StreamState#saveState} gives them
     * @throws IllegalArgumentException when the state is not of the stamp's size
     */
    public static byte[] write(ModelStamp stamp, float[] state) {
        if (state.length != stamp.stateSize())
            throw new IllegalArgumentException("state has " + state.length + " values, the model's has " + stamp.stateSize());
        ByteBuffer b = ByteBuffer.allocate(HEADER + 4 * state.length);
        b.put((byte) 'V').put((byte) 'R').put((byte) 'S').put(VERSION);
        b.putInt(stamp.layers()).putInt(stamp.d()).putInt(stamp.stateSize()).putLong(stamp.fingerprint());
        b.order(ByteOrder.LITTLE_ENDIAN);
        for (float v : state) b.putFloat(v);
        return b.array();
    }

    /**
     * {@return the stamp of the model that made it}
     *
     * @param bytes a stored state
     * @throws VecrnnException when the bytes are not vecrnn state, of another layout version, or do not match
     *     their header
     */
    public static ModelStamp stamp(byte[] bytes) {
        if (bytes.length < HEADER || bytes[0] != 'V' || bytes[1] != 'R' || bytes[2] != 'S')
            throw new VecrnnException("a stored state of " + bytes.length + " bytes is not vecrnn state (no 'VRS' header)");
        if (bytes[3] != VERSION)
            throw new VecrnnException("a stored state has layout version " + bytes[3] + ", this vecrnn reads version " + VERSION + ": run the vecrnn that wrote it, or start with fresh state");
        ByteBuffer b = ByteBuffer.wrap(bytes);
        int layers = b.getInt(4), d = b.getInt(8), size = b.getInt(12);
        if (layers < 1 || d < 1 || size < (long) layers * d || size > Integer.MAX_VALUE / 8 || bytes.length != HEADER + 4L * size)
            throw new VecrnnException("a stored state of " + bytes.length + " bytes does not match its header (layers=" + layers + " d=" + d + " size=" + size + ")");
        return new ModelStamp(layers, d, size, b.getLong(16));
    }

    /**
     * Reads the state values; the caller has checked the stamp.
     *
     * @param bytes a stored state
     * @param dst receives stamp(bytes).stateSize() values
     * @throws IllegalArgumentException when dst is not of the stored size
     */
    public static void read(byte[] bytes, float[] dst) {
        if (bytes.length != HEADER + 4L * dst.length)
            throw new IllegalArgumentException("state bytes hold " + (bytes.length - HEADER) / 4 + " values, expected " + dst.length);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < dst.length; i++) dst[i] = b.getFloat(HEADER + 4 * i);
    }
}
