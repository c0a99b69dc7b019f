package org.vecrnn.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.vecrnn.VecrnnException;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.json.JsonFactory;

/**
 * A safetensors file, read and validated: every header field is checked before any tensor is read, so a
 * bad file is refused with one line that names it and the problem. The data block is read into native
 * memory (not mapped: a mapped file that another program truncates faults); tensors are views of it, valid
 * until {@link #close()}. A path that is not a regular file (a FIFO, a device, a folder) is refused at once.
 *
 * <p>Format: an 8-byte little-endian header length N, N bytes of JSON
 * {@code {"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {..}}}, then the data
 * block, whose tensors must be contiguous, without overlap or holes.
 */
public final class SafeTensors implements AutoCloseable {
    /** Headers are small (about 100 bytes a tensor); this bound keeps a lying length from costing memory. */
    public static final long MAX_HEADER_BYTES = 100L << 20;
    /** The most tensors a file may declare. */
    public static final int MAX_TENSORS = 100_000;
    /** The most dimensions a tensor may have. */
    public static final int MAX_RANK = 8;
    /** Elements of one tensor: it is read into one Java array, and the largest the JVM makes is a few short of 2^31 - 1. */
    public static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(8)
                    .maxDocumentLength(MAX_HEADER_BYTES)
                    .maxStringLength(1 << 20)
                    .maxNameLength(1 << 16)
                    .maxNumberLength(32)
                    .build())
            .build();

    private final Path path;
    private final Arena arena;
    private final Map<String, Tensor> tensors;
    private final Map<String, String> metadata;
    private final long fileBytes;

    private SafeTensors(Path path, Arena arena, Map<String, Tensor> tensors, Map<String, String> metadata, long fileBytes) {
        this.path = path;
        this.arena = arena;
        this.tensors = tensors;
        this.metadata = metadata;
        this.fileBytes = fileBytes;
    }

    /**
     * Reads and validates {@code path}. The result may be used by any thread.
     *
     * @param path a safetensors file
     * @return the open file, to be closed by the caller
     * @throws VecrnnException naming the file and the first defect found
     */
    public static SafeTensors open(Path path) {
        return open(path, Arena.ofShared());
    }

    /**
     * The same, for use by this thread alone: closing a thread-confined mapping is far cheaper than closing a
     * shared one (no handshake with every other thread), which counts when a file is opened only to copy
     * a few tensors out of it.
     *
     * @param path a safetensors file
     * @return the open file, for this thread only, to be closed by the caller
     * @throws VecrnnException naming the file and the first defect found
     */
    public static SafeTensors openConfined(Path path) {
        return open(path, Arena.ofConfined());
    }

    private static SafeTensors open(Path path, Arena arena) {
        try {
            // before opening: opening a FIFO would wait for a writer, reading a device would never end
            FileKind.requireReadableFile(path);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) throw VecrnnException.inFile(path, "not a safetensors file: " + size + " bytes, shorter than the 8-byte header length");
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(path, ch, len, 0, size);
            long n = len.getLong(0);
            if (n < 2 || n > MAX_HEADER_BYTES)
                throw VecrnnException.inFile(path, "not a safetensors file: its first 8 bytes give a header length of " + Long.toUnsignedString(n)
                        + " bytes, out of range (2 to " + MAX_HEADER_BYTES + ")");
            if (n > size - 8)
                throw VecrnnException.inFile(path, "header length " + n + " is larger than the file (" + size + " bytes): truncated?");
            byte[] header = new byte[(int) n];
            readFully(path, ch, ByteBuffer.wrap(header), 8, size);
            long dataBytes = size - 8 - n;
            Header h = parseHeader(path, header, dataBytes);
            MemorySegment data = read(path, ch, 8 + n, dataBytes, size, arena);
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (Entry e : h.entries)
                tensors.put(e.name, new Tensor(e.name, e.dtype, e.shape, data.asSlice(e.begin, e.end - e.begin)));
            return new SafeTensors(path, arena, Collections.unmodifiableMap(tensors), h.metadata, size);
        } catch (NoSuchFileException e) {
            arena.close();
            throw VecrnnException.inFile(path, "no such file");
        } catch (IOException e) {
            arena.close();
            throw VecrnnException.inFile(path, "cannot read: " + FileKind.reason(e));
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /**
     * The data block, read (not mapped) into the arena's memory: a file that another program truncates or
     * rewrites while it is loaded then gives a short read and a clear error, where a mapping would fault
     * (an InternalError, which a service catching Exception does not survive).
     */
    private static MemorySegment read(Path path, FileChannel ch, long from, long bytes, long size, Arena arena) throws IOException {
        MemorySegment data;
        try {
            data = arena.allocate(Math.max(1, bytes), 64).asSlice(0, bytes);
        } catch (OutOfMemoryError e) {
            throw VecrnnException.inFile(path, "its " + bytes + " bytes of tensors do not fit in the memory available");
        }
        for (long at = 0; at < bytes; ) {
            long chunk = Math.min(bytes - at, 1 << 30);
            ByteBuffer b = data.asSlice(at, chunk).asByteBuffer();
            readFully(path, ch, b, from + at, size);
            at += chunk;
        }
        if (ch.size() != size) throw changed(path, size, ch.size());
        return data.asReadOnly();
    }

    private static void readFully(Path path, FileChannel ch, ByteBuffer b, long position, long size) throws IOException {
        long at = position;
        while (b.hasRemaining()) {
            int r = ch.read(b, at);
            if (r < 0) throw changed(path, size, ch.size());
            at += r;
        }
    }

    private static VecrnnException changed(Path path, long was, long now) {
        return VecrnnException.inFile(path, "the file changed while it was read (" + was + " bytes, now " + now
                + "): another program is writing it; load it again once it is complete");
    }

    private record Entry(String name, DType dtype, long[] shape, long begin, long end) {}

    private record Header(List<Entry> entries, Map<String, String> metadata) {}

    static Header parseHeader(Path path, byte[] json, long dataBytes) {
        List<Entry> entries = new ArrayList<>();
        Map<String, String> metadata = Map.of();
        try (JsonParser p = JSON.createParser(ObjectReadContext.empty(), json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) throw VecrnnException.inFile(path, "header is not a JSON object");
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                p.nextToken();
                if (name.equals("__metadata__")) metadata = parseMetadata(path, p);
                else {
                    if (entries.size() >= MAX_TENSORS) throw VecrnnException.inFile(path, "more than " + MAX_TENSORS + " tensors");
                    entries.add(parseEntry(path, name, p));
                }
            }
            if (t != JsonToken.END_OBJECT || p.nextToken() != null)
                throw VecrnnException.inFile(path, "header JSON has trailing content after the object");
        } catch (JacksonException e) {
            throw VecrnnException.inFile(path, "header is not valid JSON: " + e.getOriginalMessage());
        }
        checkLayout(path, entries, dataBytes);
        return new Header(entries, metadata);
    }

    private static Map<String, String> parseMetadata(Path path, JsonParser p) {
        if (!p.isExpectedStartObjectToken()) throw VecrnnException.inFile(path, "__metadata__ is not an object");
        Map<String, String> m = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String key = p.currentName();
            if (p.nextToken() != JsonToken.VALUE_STRING)
                throw VecrnnException.inFile(path, "__metadata__ value of '" + key + "' is not a string");
            m.put(key, p.getString());
        }
        return Collections.unmodifiableMap(m);
    }

    private static Entry parseEntry(Path path, String name, JsonParser p) {
        String where = "tensor '" + name + "'";
        if (!p.isExpectedStartObjectToken()) throw VecrnnException.inFile(path, where + " is not an object");
        DType dtype = null;
        long[] shape = null, offsets = null;
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            switch (field) {
                case "dtype" -> {
                    if (v != JsonToken.VALUE_STRING) throw VecrnnException.inFile(path, where + ": dtype is not a string");
                    String s = p.getString();
                    dtype = DType.byName(s);
                    if (dtype == null) throw VecrnnException.inFile(path, where + ": unsupported dtype '" + s + "' (vecrnn reads F32, F64 and I8)");
                }
                case "shape" -> shape = longs(path, where + ": shape", p, -1);
                case "data_offsets" -> offsets = longs(path, where + ": data_offsets", p, 2);
                default -> p.skipChildren();
            }
        }
        if (dtype == null) throw VecrnnException.inFile(path, where + " has no dtype");
        if (shape == null) throw VecrnnException.inFile(path, where + " has no shape");
        if (offsets == null) throw VecrnnException.inFile(path, where + " has no data_offsets");
        if (shape.length > MAX_RANK) throw VecrnnException.inFile(path, where + " has rank " + shape.length + ", more than " + MAX_RANK);
        long elements = 1;
        for (long s : shape) {
            try {
                elements = Math.multiplyExact(elements, s);
            } catch (ArithmeticException e) {
                throw VecrnnException.inFile(path, where + ": shape " + java.util.Arrays.toString(shape) + " overflows a 64-bit element count");
            }
        }
        if (elements > MAX_ELEMENTS)
            throw VecrnnException.inFile(path, where + ": shape " + java.util.Arrays.toString(shape) + " has " + elements
                    + " elements, more than vecrnn loads in one tensor (" + MAX_ELEMENTS + ", the largest Java array)");
        if (elements * dtype.bytes() > Runtime.getRuntime().maxMemory())
            throw VecrnnException.inFile(path, where + " needs " + elements * dtype.bytes() + " bytes, more than this JVM's largest heap ("
                    + Runtime.getRuntime().maxMemory() + " bytes; raise it with -Xmx)");
        long begin = offsets[0], end = offsets[1];
        if (begin > end) throw VecrnnException.inFile(path, where + ": data_offsets [" + begin + ", " + end + "] run backwards");
        long want;
        try {
            want = Math.multiplyExact(elements, dtype.bytes());
        } catch (ArithmeticException e) {
            throw VecrnnException.inFile(path, where + ": shape " + java.util.Arrays.toString(shape) + " overflows a 64-bit byte count");
        }
        if (end - begin != want)
            throw VecrnnException.inFile(path, where + ": shape " + java.util.Arrays.toString(shape) + " of " + dtype + " needs "
                    + want + " bytes, but data_offsets [" + begin + ", " + end + "] hold " + (end - begin));
        return new Entry(name, dtype, shape, begin, end);
    }

    /** An array of non-negative integers (of exactly {@code count} when count >= 0). */
    private static long[] longs(Path path, String what, JsonParser p, int count) {
        if (!p.isExpectedStartArrayToken()) throw VecrnnException.inFile(path, what + " is not an array");
        List<Long> out = new ArrayList<>();
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER)
                throw VecrnnException.inFile(path, what + " holds something other than a 64-bit integer");
            long v = p.getLongValue();
            if (v < 0) throw VecrnnException.inFile(path, what + " holds a negative number (" + v + ")");
            if (out.size() > MAX_RANK) throw VecrnnException.inFile(path, what + " is too long");
            out.add(v);
        }
        if (count >= 0 && out.size() != count) throw VecrnnException.inFile(path, what + " has " + out.size() + " numbers, expected " + count);
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    /** Tensors must tile the data block exactly: in bounds, no overlap, no holes. */
    private static void checkLayout(Path path, List<Entry> entries, long dataBytes) {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long at = 0;
        for (Entry e : sorted) {
            if (e.end > dataBytes)
                throw VecrnnException.inFile(path, "tensor '" + e.name + "': data_offsets [" + e.begin + ", " + e.end
                        + "] run past the data block (" + dataBytes + " bytes): truncated?");
            if (e.begin < at)
                throw VecrnnException.inFile(path, "tensor '" + e.name + "' overlaps another tensor at byte " + e.begin);
            if (e.begin > at)
                throw VecrnnException.inFile(path, "data block has a hole of " + (e.begin - at) + " bytes before tensor '" + e.name + "'");
            at = e.end;
        }
        if (at != dataBytes)
            throw VecrnnException.inFile(path, "data block has " + (dataBytes - at) + " bytes that belong to no tensor");
    }

    /** {@return the file this was read from} */
    public Path path() {
        return path;
    }

    /** {@return the size of the file in bytes} */
    public long fileBytes() {
        return fileBytes;
    }

    /** {@return all tensors by name, in header order (unmodifiable)} */
    public Map<String, Tensor> tensors() {
        return tensors;
    }

    /** {@return the {@code __metadata__} strings, empty when the file has none} */
    public Map<String, String> metadata() {
        return metadata;
    }

    /**
     * {@return whether the file holds a tensor of that name}
     *
     * @param name a tensor name
     */
    public boolean has(String name) {
        return tensors.containsKey(name);
    }

    /**
     * {@return the tensor of that name, a view valid until {@link #close()}}
     *
     * @param name a tensor name
     * @throws VecrnnException naming the file when it holds no such tensor
     */
    public Tensor get(String name) {
        Tensor t = tensors.get(name);
        if (t == null) throw VecrnnException.inFile(path, "has no tensor '" + name + "'");
        return t;
    }

    /**
     * {@return the F32 tensor's values, a heap copy}
     *
     * @param name a tensor name
     * @param shape the shape it must have
     * @throws VecrnnException naming the file when the tensor is missing, not F32 or of another shape
     */
    public float[] floats(String name, long... shape) {
        Tensor t = get(name);
        if (t.dtype() != DType.F32) throw VecrnnException.inFile(path, "tensor '" + name + "' is " + t.dtype() + ", expected F32");
        if (!t.hasShape(shape))
            throw VecrnnException.inFile(path, "tensor '" + name + "' has shape " + t.shapeString() + ", expected " + java.util.Arrays.toString(shape));
        return t.floats();
    }

    @Override
    public void close() {
        if (arena.scope().isAlive()) arena.close();
    }
}
