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

    /**
     * An imported model, as a PyTorch state dict of it would hold it.
     *
     * @param tensors the weights under PyTorch's names ({@code rnn.weight_ih_l0}, ..., {@code head.weight}, {@code head.bias})
     * @param metadata {@code layers}, {@code nonlinearity} and {@code output}
     */
    public record Imported(Map<String, Tensor> tensors, Map<String, String> metadata) {}

    /**
     * {@return whether it names an ONNX file (by its extension, as every tool names them)}
     *
     * @param path a file name
     */
    public static boolean isOnnx(Path path) {
        Path name = path.getFileName();
        return name != null && name.toString().toLowerCase(Locale.ROOT).endsWith(".onnx");
    }

    /**
     * {@return its tensors and metadata, for {@link org.vecrnn.io.ModelFile#fromTensors}}
     *
     * @param path an ONNX file holding an Elman RNN stack and one head
     * @throws org.vecrnn.VecrnnException naming the file, and the node and op it cannot map
     */
    public static Imported read(Path path) {
        OnnxRnn rnn = recognise(path);
        return new Imported(rnn.tensors(), rnn.metadata());
    }

    /**
     * {@return lines that tell what the graph holds and the model it maps to, as {@code vecrnn inspect} prints them}
     *
     * @param path an ONNX file
     * @throws org.vecrnn.VecrnnException as {@link #read}
     */
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
