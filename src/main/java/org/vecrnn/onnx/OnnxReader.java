package org.vecrnn.onnx;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.function.Function;
import org.vecrnn.onnx.proto.OnnxProto.ModelProto;

/**
 * Parses an .onnx file with the generated protobuf classes. The file is memory-mapped and its tensors'
 * bytes alias the mapping (no copy), so the model is handed to {@code use} and must not escape it.
 */
final class OnnxReader {
    private OnnxReader() {}

    /** Protobuf's own bound for one message; a larger file is not an ONNX model without external data. */
    static final long MAX_FILE_BYTES = Integer.MAX_VALUE;
    /** ModelProto > GraphProto > NodeProto > AttributeProto > TensorProto is 5 deep; unknown groups get some room. */
    static final int RECURSION_LIMIT = 32;

    static <T> T read(Path path, Function<ModelProto, T> use) throws IOException {
        // a FIFO or a device would block the open or never end; a folder cannot be mapped
        if (!Files.readAttributes(path, BasicFileAttributes.class).isRegularFile()) throw new OnnxRefusal("is not a regular file");
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ); Arena arena = Arena.ofConfined()) {
            long size = ch.size();
            if (size == 0) throw new OnnxRefusal("is empty");
            if (size > MAX_FILE_BYTES)
                throw new OnnxRefusal("is " + size + " bytes, more than one protobuf message holds (2 GiB); larger models need external data, which vecrnn does not read");
            MemorySegment bytes = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            CodedInputStream in = CodedInputStream.newInstance(bytes.asByteBuffer());
            in.enableAliasing(true);
            in.setRecursionLimit(RECURSION_LIMIT);
            in.setSizeLimit((int) size);
            ModelProto model;
            try {
                model = ModelProto.parseFrom(in);
            } catch (InvalidProtocolBufferException e) {
                throw new OnnxRefusal("is not a valid ONNX file (protobuf: " + e.getMessage() + ")");
            }
            return use.apply(model);
        }
    }
}
