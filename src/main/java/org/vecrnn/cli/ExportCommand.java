package org.vecrnn.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.vecrnn.io.ModelFile;
import org.vecrnn.io.OutputPath;
import org.vecrnn.model.ElmanRnn;
import org.vecrnn.onnx.OnnxExport;
import org.vecrnn.onnx.OnnxImport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Write a model as a standard ONNX graph that ONNX Runtime runs.",
                "The graph (opset 14) holds one RNN node per layer, then MatMul and Add for the head, then the output "
                        + "activation. Inputs x and h0, outputs o, h (the last layer's states) and h_n (every layer's final state).",
                "x is [T, B, n], h [T, B, d] and o [T, B, k] (time first, as ONNX and PyTorch run an RNN by default); "
                        + "with --batch-first they are [B, T, ...]. h0 and h_n are [L, B, d] either way."})
final class ExportCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "M", description = "the fp32 model to export (.safetensors or .onnx)")
    Path model;

    @Option(names = "--output", required = true, paramLabel = "O", description = "the ONNX file to write (its name ends in .onnx), written atomically")
    Path output;

    @Option(names = "--batch-first", description = "x, h and o with the batch first ([B, T, ...]), as PyTorch's batch_first=True")
    boolean batchFirst;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (!OnnxImport.isOnnx(output))
            throw new CommandLine.ParameterException(spec.commandLine(), "--output " + output + " must end in .onnx: vecrnn and other tools know ONNX files by that name");
        OutputPath.refuseSameFile("--output", output, "--model", model);
        PrintWriter out = spec.commandLine().getOut();
        try (ElmanRnn m = ModelFile.load(model)) {
            OnnxExport.write(OnnxExport.of(m), output, batchFirst);
            String seq = batchFirst ? "B, T" : "T, B";
            out.printf(Locale.ROOT, "%s: %d layer%s (%s), n=%d d=%d k=%d, output %s; inputs x [%s, %d], h0 [%d, B, %d]; outputs o [%s, %d], h [%s, %d], h_n [%d, B, %d]%n",
                    output, m.layers(), m.layers() == 1 ? "" : "s", m.nonlinearity().id(), m.n(), m.d(), m.k(), m.output().id(), seq, m.n(), m.layers(), m.d(),
                    seq, m.k(), seq, m.d(), m.layers(), m.d());
        }
        out.flush();
        return 0;
    }
}
