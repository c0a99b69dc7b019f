package org.vecrnn.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.vecrnn.VecrnnException;
import org.vecrnn.io.ModelFile;
import org.vecrnn.io.OutputPath;
import org.vecrnn.io.SafeTensorsWriter;
import org.vecrnn.io.Tensor;
import org.vecrnn.model.ElmanRnn;
import org.vecrnn.model.Loss;
import org.vecrnn.model.Parameters;
import org.vecrnn.model.Topology;
import org.vecrnn.train.ReferenceBptt;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "grad", mixinStandardHelpOptions = true,
        description = {"Compute a model's loss and gradients on a batch of sequences.",
                "The gradients come from backpropagation through time in double precision.",
                "DATA holds x [B,T,n], y ([B,T,k], or [B,k] for many-to-one) and optionally h0 [B,d], or [L,B,d] for L > 1 layers.",
                "OUTPUT gets loss [] and grad.<name> for each parameter of every layer under its name in the model, grad.h0 and grad.x.",
                "The loss is summed over steps with a target and over outputs, averaged over the batch."})
final class GradCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "M", description = "model file (.safetensors)")
    Path model;

    @Option(names = "--data", required = true, paramLabel = "D", description = "data file (.safetensors)")
    Path data;

    @Option(names = "--topology", required = true, paramLabel = "T", converter = Converters.TopologyConverter.class,
            description = "many-to-many, many-to-one or one-to-many")
    Topology topology;

    @Option(names = "--loss", required = true, paramLabel = "L", converter = Converters.LossConverter.class, description = "mse or ce")
    Loss loss;

    @Option(names = "--output", required = true, paramLabel = "G", description = "output file, written atomically")
    Path output;

    @Override
    public Integer call() {
        OutputPath.refuseSameFile("--output", output, "--model", model);
        OutputPath.refuseSameFile("--output", output, "--data", data);
        ModelFile.Loaded loaded = ModelFile.read(model);
        try (ElmanRnn m = loaded.model()) {
            loss.checkCompatible(m.output());
            int n = m.n(), d = m.d(), k = m.k(), L = m.layers();
            SequenceFile in = SequenceFile.withTargets(data, n, d, k, L, topology);
            ReferenceBptt.Gradients gr = ReferenceBptt.of(m).gradients(in.x(), in.B(), in.T(), in.h0(), in.y(), topology, loss);
            Parameters shapesOf = m.parameters();
            String[] params = shapesOf.names();
            long[][] shapes = shapesOf.shapes(n, d, k);
            double[][] grads = gr.all();
            Map<String, Tensor> byParam = new HashMap<>();
            for (int i = 0; i < params.length; i++) byParam.put(params[i], Tensor.of("", finite(ReferenceBptt.narrow(grads[i]), "gradient of " + params[i]), shapes[i]));
            List<Tensor> out = new ArrayList<>();
            out.add(Tensor.scalar("loss", finite(new float[] {(float) gr.loss()}, "loss")[0]));
            loaded.fileNames().forEach((param, names) -> {
                Tensor t = byParam.get(param);
                for (String name : names) out.add(new Tensor("grad." + name, t.dtype(), t.shape(), t.data()));
            });
            float[] dh0 = finite(ReferenceBptt.narrow(gr.dh0()), "gradient of h0");
            out.add(L == 1 ? Tensor.of("grad.h0", dh0, in.B(), d) : Tensor.of("grad.h0", dh0, L, in.B(), d));
            out.add(Tensor.of("grad.x", finite(ReferenceBptt.narrow(gr.dx()), "gradient of x"), in.B(), in.T(), n));
            SafeTensorsWriter.write(output, out, Map.of("format", ModelFile.FORMAT, "topology", topology.id(), "loss", loss.id()));
        }
        return 0;
    }

    /** A loss or gradient past float's range (targets of 3e38, say) is refused rather than written as inf. */
    private float[] finite(float[] v, String what) {
        for (float f : v)
            if (!Float.isFinite(f))
                throw VecrnnException.inFile(data, "the " + what + " is " + f + " in float32: the data's values are too large for this model");
        return v;
    }
}
