package org.vecrnn.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.vecrnn.VecrnnException;
import org.vecrnn.infer.InferenceModel;
import org.vecrnn.io.SafeTensors;
import org.vecrnn.io.Tensor;
import org.vecrnn.onnx.OnnxImport;
import org.vecrnn.text.Word2VecFormat;
import org.vecrnn.text.WordVectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = {"Show what a safetensors, ONNX or word2vec file holds.",
                "A safetensors file: its tensors (name, dtype, shape, bytes) and metadata. An ONNX file (.onnx): its "
                        + "inputs, outputs and nodes, and the vecrnn model it maps to. A word2vec file (.bin "
                        + "binary; .txt or .vec text): its size, dimension and first words."})
final class InspectCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "a .safetensors, .onnx or word2vec file")
    Path file;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        String name = file.getFileName().toString();
        if (name.endsWith(".bin") || name.endsWith(".txt") || name.endsWith(".vec")) return wordVectors(out);
        if (OnnxImport.isOnnx(file)) return onnx(out);
        try (SafeTensors st = SafeTensors.open(file)) {
            out.printf("%s: %d bytes, %d tensors%n", file, st.fileBytes(), st.tensors().size());
            for (Tensor t : st.tensors().values())
                out.printf("  %-28s %-4s %-16s %d bytes%n", t.name(), t.dtype(), t.shapeString(), t.data().byteSize());
            if (!st.metadata().isEmpty()) {
                out.println("metadata:");
                st.metadata().forEach((k, v) -> out.printf("  %s = %s%n", k, v));
            }
            if (isModel(st)) out.println("preprocessing: " + preprocessing());
        }
        out.flush();
        return 0;
    }

    private static boolean isModel(SafeTensors st) {
        return st.has("W") || st.tensors().keySet().stream().anyMatch(name -> name.endsWith("weight_hh_l0"));
    }

    /** What stream and forward apply to this model's inputs and outputs, or why they refuse it. */
    private String preprocessing() {
        // no warm-up: inspect runs no step
        try (InferenceModel im = InferenceModel.load(file, true, false)) {
            return im.preprocessing().describe() + (im.preprocessing().isNone() ? "" : " (--raw turns it off)");
        } catch (VecrnnException e) {
            return "the model is refused: " + e.getMessage();
        }
    }

    /** The graph's opset, nodes, inputs and outputs, its layers and the vecrnn model it maps to (or why it is refused). */
    private int onnx(PrintWriter out) {
        List<String> lines = OnnxImport.describe(file);
        out.printf("%s: ONNX%n", file);
        for (String line : lines) out.println("  " + line);
        out.flush();
        return 0;
    }

    private int wordVectors(PrintWriter out) {
        try (WordVectors t = Word2VecFormat.read(file)) {
            out.printf("%s: word2vec, %d words of dimension %d%n", file, t.size(), t.dim());
            out.println("  first words: " + String.join(" ", t.words().subList(0, Math.min(10, t.size()))));
        }
        out.flush();
        return 0;
    }
}
