package org.vecrnn.onnx;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Function;
import org.vecrnn.io.FileKind;
import org.vecrnn.onnx.proto.OnnxProto.ModelProto;

/**
 * Parses an .onnx file with the generated protobuf classes. The file is read whole (not mapped: a file
 * truncated by another program while it is read gives a clear error, not a fault), and its tensors' bytes
 * alias that copy, so the model is handed to {@code use} and should not outlive it.
 */
final class OnnxReader {
    private OnnxReader() {}

    /** Protobuf's own bound for one message; a larger file is not an ONNX model without external data. */
    static final long MAX_FILE_BYTES = Integer.MAX_VALUE - 8;
    /** ModelProto > GraphProto > NodeProto > AttributeProto > TensorProto is 5 deep; unknown groups get some room. */
    static final int RECURSION_LIMIT = 32;

    static <T> T read(Path path, Function<ModelProto, T> use) throws IOException {
        FileKind.requireReadableFile(path); // before opening: a FIFO would wait for a writer, a device never end
        byte[] bytes;
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size == 0) throw new OnnxRefusal("is empty");
            if (size > MAX_FILE_BYTES)
                throw new OnnxRefusal("is " + size + " bytes, more than one protobuf message holds (2 GiB); larger models need external data, which vecrnn does not read");
            try {
                bytes = new byte[(int) size];
            } catch (OutOfMemoryError e) {
                throw new OnnxRefusal("its " + size + " bytes do not fit in the memory available");
            }
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining())
                if (ch.read(b, b.position()) < 0) throw new OnnxRefusal("the file changed while it was read (" + size + " bytes, now " + ch.size() + ")");
        }
        CodedInputStream in = CodedInputStream.newInstance(bytes);
        in.enableAliasing(true);
        in.setRecursionLimit(RECURSION_LIMIT);
        ModelProto model;
        try {
            model = ModelProto.parseFrom(in);
        } catch (InvalidProtocolBufferException e) {
            throw new OnnxRefusal("is not a valid ONNX file (protobuf: " + e.getMessage() + ")");
        }
        return use.apply(model);
    }
}
