package org.vecrnn.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.vecrnn.io.ModelFile;
import org.vecrnn.io.QuantizedModelFile;
import org.vecrnn.io.SafeTensorsWriter;
import org.vecrnn.io.SequenceFile;
import org.vecrnn.io.Tensor;
import org.vecrnn.kernel.Int8Kernels;
import org.vecrnn.kernel.StepKernel;
import org.vecrnn.quant.KernelForward;
import org.vecrnn.quant.QuantizedRnn;

/** {@code forward} with an int8 model: the same input and output files, run by the int8 step kernel. */
final class QuantizedForward {
    private QuantizedForward() {}

    static void run(Path model, Path input, Path output) {
        try (QuantizedRnn m = QuantizedModelFile.load(model); StepKernel kernel = Int8Kernels.create(m)) {
            SequenceFile in = SequenceFile.inputs(input, m.n(), m.d());
            KernelForward.Result r = KernelForward.run(kernel, m.output(), in.x(), in.B(), in.T(), in.h0());
            SafeTensorsWriter.write(output, List.of(Tensor.of("h", r.h(), in.B(), in.T(), m.d()), Tensor.of("o", r.o(), in.B(), in.T(), m.k())),
                    Map.of("format", ModelFile.FORMAT, "weights", m.scheme().id()));
        }
    }
}
