package org.vecrnn.io;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.ObjectWriteContext;

/** Writes tensors and metadata as a safetensors file, atomically: a temporary file forced to disk, then renamed. */
public final class SafeTensorsWriter {
    private SafeTensorsWriter() {}

    /**
     * Writes the tensors (widest dtype first, so each is aligned) and the metadata.
     *
     * @param target the file to write (replaced only once it is complete)
     * @param tensors the tensors, with distinct names
     * @param metadata the {@code __metadata__} strings, or null for none
     * @throws IllegalArgumentException when names repeat or a tensor's bytes do not match its shape
     * @throws org.vecrnn.VecrnnException naming the file when it cannot be written
     */
    public static void write(Path target, Collection<Tensor> tensors, Map<String, String> metadata) {
        List<Tensor> list = new ArrayList<>(tensors);
        // widest dtype first keeps every tensor naturally aligned in the data block
        list.sort((x, y) -> Integer.compare(y.dtype().bytes(), x.dtype().bytes()));
        Set<String> names = new HashSet<>();
        for (Tensor t : list) {
            if (!names.add(t.name())) throw new IllegalArgumentException("duplicate tensor name '" + t.name() + "'");
            if (t.data().byteSize() != t.elements() * t.dtype().bytes())
                throw new IllegalArgumentException("tensor '" + t.name() + "' holds " + t.data().byteSize() + " bytes for shape " + t.shapeString());
        }
        byte[] header = header(list, metadata);
        AtomicFile.write(target, out -> {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).flip();
            writeFully(out, len);
            writeFully(out, ByteBuffer.wrap(header));
            for (Tensor t : list) writeFully(out, littleEndian(t));
        });
    }

    private static void writeFully(java.nio.channels.FileChannel out, ByteBuffer b) throws java.io.IOException {
        while (b.hasRemaining()) out.write(b);
    }

    /**
     * The tensor's bytes in little-endian order (heap arrays hold native order, which is little-endian here
     * too). One bulk copy per tensor, which swaps bytes where the orders differ: an element loop over
     * segments runs interpreted in a short-lived JVM and made each training checkpoint cost milliseconds.
     */
    private static ByteBuffer littleEndian(Tensor t) {
        MemorySegment src = t.data();
        ByteBuffer buf = ByteBuffer.allocate((int) src.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        MemorySegment dst = MemorySegment.ofBuffer(buf);
        switch (t.dtype()) {
            case F32 -> MemorySegment.copy(src, ValueLayout.JAVA_FLOAT_UNALIGNED, 0, dst, Tensor.F32_LE, 0, t.elements());
            case F64 -> MemorySegment.copy(src, ValueLayout.JAVA_DOUBLE_UNALIGNED, 0, dst, Tensor.F64_LE, 0, t.elements());
            case I8 -> MemorySegment.copy(src, 0, dst, 0, src.byteSize());
        }
        return buf;
    }

    private static byte[] header(List<Tensor> list, Map<String, String> metadata) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JsonGenerator g = SafeTensors.JSON.createGenerator(ObjectWriteContext.empty(), bytes)) {
            g.writeStartObject();
            if (metadata != null && !metadata.isEmpty()) {
                g.writeName("__metadata__");
                g.writeStartObject();
                for (Map.Entry<String, String> e : metadata.entrySet()) g.writeStringProperty(e.getKey(), e.getValue());
                g.writeEndObject();
            }
            long at = 0;
            for (Tensor t : list) {
                g.writeName(t.name());
                g.writeStartObject();
                g.writeStringProperty("dtype", t.dtype().name());
                g.writeName("shape");
                g.writeStartArray();
                for (long s : t.shape()) g.writeNumber(s);
                g.writeEndArray();
                long end = at + t.data().byteSize();
                g.writeName("data_offsets");
                g.writeStartArray();
                g.writeNumber(at);
                g.writeNumber(end);
                g.writeEndArray();
                g.writeEndObject();
                at = end;
            }
            g.writeEndObject();
        }
        // pad with spaces to a multiple of 8, as the format's writers do
        while (bytes.size() % 8 != 0) bytes.write(' ');
        return bytes.toByteArray();
    }
}
