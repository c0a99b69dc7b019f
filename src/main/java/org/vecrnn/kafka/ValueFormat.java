package org.vecrnn.kafka;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.vecrnn.io.Numbers;

/**
 * How a record value holds a vector: {@code text}, numbers separated by spaces or commas (a {@code vecrnn
 * stream} line, UTF-8), or {@code f32le}, 4 bytes a value, little-endian float32. Inputs hold n values,
 * outputs k. Every value must be finite.
 */
public enum ValueFormat {
    /** Numbers in UTF-8 text, separated by spaces or commas, as {@code vecrnn stream} reads and writes lines. */
    TEXT {
        @Override
        public String parse(byte[] value, float[] x) {
            String text = new String(value, StandardCharsets.UTF_8).strip();
            if (text.isEmpty()) return "empty value, expected " + x.length + " numbers";
            return Numbers.parseVector(text, x);
        }

        @Override
        public byte[] format(float[] v, int count) {
            StringBuilder sb = new StringBuilder(count * 12);
            for (int i = 0; i < count; i++) sb.append(i == 0 ? "" : " ").append(v[i]);
            return sb.toString().getBytes(StandardCharsets.UTF_8);
        }
    },
    /** 4 bytes a value, little-endian float32: no parsing, exact. */
    F32LE {
        @Override
        public String parse(byte[] value, float[] x) {
            if (value.length != 4L * x.length)
                return "expected " + 4L * x.length + " bytes (" + x.length + " little-endian float32), found " + value.length;
            ByteBuffer b = ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < x.length; i++) {
                float v = b.getFloat(4 * i);
                if (!Float.isFinite(v)) return "value " + (i + 1) + " is not finite: " + v;
                x[i] = v;
            }
            return null;
        }

        @Override
        public byte[] format(float[] v, int count) {
            ByteBuffer b = ByteBuffer.allocate(4 * count).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < count; i++) b.putFloat(v[i]);
            return b.array();
        }
    };

    /**
     * Fills x (all of it) from a record value.
     *
     * @param value a record's value
     * @param x receives x.length values
     * @return null, or what is wrong with the value (one line, for the dead-letter record)
     */
    public abstract String parse(byte[] value, float[] x);

    /**
     * {@return the record value holding v[0, count)}
     *
     * @param v the values
     * @param count how many of them, from the first
     */
    public abstract byte[] format(float[] v, int count);

    /** {@return the name on the command line: text or f32le} */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * A serde for vectors of {@code size} values in this format, for clients that produce inputs or read
     * outputs: the deserializer refuses a malformed value with a {@link SerializationException} that says why.
     *
     * @param size the values of each vector: n for inputs, k for outputs
     * @return a serde whose serializer also refuses a vector of another size
     */
    public Serde<float[]> serde(int size) {
        if (size < 1) throw new IllegalArgumentException("a vector has at least one value, not " + size);
        Serializer<float[]> ser = (topic, v) -> {
            if (v == null) return null;
            if (v.length != size) throw new SerializationException("vector has " + v.length + " values, expected " + size);
            return format(v, size);
        };
        Deserializer<float[]> de = (topic, bytes) -> {
            if (bytes == null) return null;
            float[] v = new float[size];
            String problem = parse(bytes, v);
            if (problem != null) throw new SerializationException("malformed " + cliName() + " value on " + topic + ": " + problem);
            return v;
        };
        return Serdes.serdeFrom(ser, de);
    }
}
