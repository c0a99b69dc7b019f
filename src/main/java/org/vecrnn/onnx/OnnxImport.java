package org.vecrnn.onnx;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.vecrnn.VecrnnException;
import org.vecrnn.io.FileKind;
import org.vecrnn.io.Tensor;

/**
 * ONNX import: an .onnx file whose graph is an Elman RNN stack with one head (as {@code torch.onnx.export}
 * writes {@code nn.RNN} + {@code nn.Linear}, or RNN nodes written by hand) becomes the tensors a PyTorch
 * state dict of that model holds, for the one model loader to read. Anything else is refused with a message
 * that names the node, its op and why. Needs protobuf-java on the class path (an optional dependency).
 */
public final class OnnxImport {
    private OnnxImport() {}

    /** The artifact an application adds to open .onnx files. */
    public static final String PROTOBUF_ARTIFACT = "com.google.protobuf:protobuf-java:4.36.2";

    /** The PyTorch-named tensors and metadata ({@code layers, nonlinearity, output}) of an imported model. */
    public record Imported(Map<String, Tensor> tensors, Map<String, String> metadata) {}

    /** Whether {@code path} names an ONNX file (by its extension, as every tool names them). */
    public static boolean isOnnx(Path path) {
        Path name = path.getFileName();
        return name != null && name.toString().toLowerCase(Locale.ROOT).endsWith(".onnx");
    }

    public static Imported read(Path path) {
        OnnxRnn rnn = recognise(path);
        return new Imported(rnn.tensors(), rnn.metadata());
    }

    /** Lines that tell what the graph holds and the model it maps to. */
    public static List<String> describe(Path path) {
        return recognise(path).describe();
    }

    private static OnnxRnn recognise(Path path) {
        requireProtobuf(path);
        try {
            return OnnxReader.read(path, GraphWalk::recognise);
        } catch (OnnxRefusal e) {
            throw VecrnnException.inFile(path, e.getMessage());
        } catch (IOException e) {
            throw VecrnnException.inFile(path, "cannot read: " + FileKind.reason(e));
        }
    }

    static void requireProtobuf(Path path) {
        try {
            Class.forName("com.google.protobuf.CodedInputStream", false, OnnxImport.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw VecrnnException.inFile(path, "ONNX files need protobuf-java on the class path: add the dependency "
                    + PROTOBUF_ARTIFACT + " (vecrnn declares it optional)");
        }
    }
}
