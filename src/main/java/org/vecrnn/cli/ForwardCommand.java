package org.vecrnn.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.vecrnn.io.ModelFile;
import org.vecrnn.io.OutputPath;
import org.vecrnn.io.QuantizedModelFile;
import org.vecrnn.io.SafeTensorsWriter;
import org.vecrnn.io.Tensor;
import org.vecrnn.model.ElmanRnn;
import org.vecrnn.infer.InferenceModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "forward", mixinStandardHelpOptions = true,
        description = {"Run a model over a batch of sequences read from a file.",
                "INPUT holds x [B,T,n] F32 and optionally h0 [B,d], or [L,B,d] for a model of L > 1 layers (zeros when absent).",
                "OUTPUT gets h [B,T,d] (the last layer's states), o [B,T,k] and h_n [L,B,d] (every layer's final state).",
                "Values are in your units: the input preprocessing that training recorded in the model (mean, std, "
                        + "differences; inspect shows it) is applied, and outputs that predict the next input are "
                        + "mapped back, unless --raw is given."})
final class ForwardCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "M", description = "model file (.safetensors)")
    Path model;

    @Option(names = "--raw", description = "Turn off the input preprocessing the model's metadata records (see inspect): inputs and outputs are exactly what the network sees and gives.")
    boolean raw;

    @Option(names = "--input", required = true, paramLabel = "I", description = "input file (.safetensors)")
    Path input;

    @Option(names = "--output", required = true, paramLabel = "O", description = "output file, written atomically")
    Path output;

    @Override
    public Integer call() {
        OutputPath.refuseSameFile("--output", output, "--model", model);
        OutputPath.refuseSameFile("--output", output, "--input", input);
        try (InferenceModel im = InferenceModel.load(model, !raw)) {
            SequenceFile in = SequenceFile.inputs(input, im.n(), im.d(), im.layers());
            InferenceModel.Sequences f = im.forward(in.x(), in.B(), in.T(), in.h0());
            SafeTensorsWriter.write(output, List.of(
                    Tensor.of("h", f.h(), in.B(), in.T(), im.d()),
                    Tensor.of("o", f.o(), in.B(), in.T(), im.k()),
                    Tensor.of("h_n", f.hN(), im.layers(), in.B(), im.d())), Map.of("format", ModelFile.FORMAT));
        }
        return 0;
    }
}
