package org.vecrnn.onnx;

/**
 * Why a graph or file is refused, before the file's name is known to the code that finds it; {@link OnnxImport}
 * turns it into a {@link org.vecrnn.VecrnnException} that names the file.
 */
final class OnnxRefusal extends RuntimeException {
    OnnxRefusal(String message) {
        super(message, null, false, false);
    }

    static OnnxRefusal node(OnnxNode node, String why) {
        return new OnnxRefusal(node.label() + ": " + why);
    }
}
