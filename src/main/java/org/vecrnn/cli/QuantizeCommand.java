package org.vecrnn.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.vecrnn.VecrnnException;
import org.vecrnn.io.ModelFile;
import org.vecrnn.io.OutputPath;
import org.vecrnn.io.QuantizedModelFile;
import org.vecrnn.model.ElmanRnn;
import org.vecrnn.quant.ErrorReport;
import org.vecrnn.quant.Int8Scheme;
import org.vecrnn.quant.QuantizedRnn;
import org.vecrnn.quant.Quantizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

@Command(name = "quantize", mixinStandardHelpOptions = true,
        description = {"Quantize a model's weights to int8 and write the smaller model.",
                "U, W and V become symmetric int8 with float scales; the biases stay float.",
                "Prints the bytes before and after; with --input, also the error of the int8 model against the fp32 "
                        + "one: max and mean absolute error of o on those sequences, and the drift of h over "
                        + ErrorReport.DRIFT_STEPS + " steps of the inputs one after another."})
final class QuantizeCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "M", description = "fp32 model file (.safetensors)")
    Path model;

    @Option(names = "--output", required = true, paramLabel = "Q", description = "quantized model file, written atomically")
    Path output;

    @Option(names = "--scheme", paramLabel = "S", converter = SchemeConverter.class,
            description = "int8-row (one scale per row, the default) or int8-block32 (one scale per 32 weights)")
    Int8Scheme scheme = Int8Scheme.DEFAULT;

    @Option(names = "--input", paramLabel = "I", description = "sequences for the error report: x [B,T,n] F32, optionally h0 [B,d] ([L,B,d] for L > 1 layers)")
    Path input;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        OutputPath.refuseSameFile("--output", output, "--model", model);
        OutputPath.refuseSameFile("--output", output, "--input", input);
        PrintWriter out = CheckedOutput.reportTo(spec.commandLine(), output);
        ModelFile.Loaded loaded = ModelFile.read(model);
        try (ElmanRnn m = loaded.model()) {
            SequenceFile in = input == null ? null : SequenceFile.inputs(input, m.n(), m.d(), m.layers());
            try (QuantizedRnn q = Quantizer.quantize(m, scheme)) {
                QuantizedModelFile.save(q, output, loaded.metadata()); // the preprocessing and the task stay with the model
                out.printf(Locale.ROOT, "%s: fp32, n=%d d=%d k=%d: %d bytes (parameters %d bytes)%n", model, m.n(), m.d(), m.k(), size(model), m.bytes());
                long written = size(output);
                // a FIFO, a device or stdout has no size to show
                out.printf(Locale.ROOT, "%s: %s: %s(parameters %d bytes, %.2f times smaller)%n", OutputPath.shown(output), scheme.id(),
                        written < 0 ? "" : written + " bytes ", q.bytes(), (double) m.bytes() / q.bytes());
                if (in != null) {
                    out.println("error on " + input + ": " + ErrorReport.outputs(m, q, in.x(), in.B(), in.T(), in.h0()));
                    float[] xs = ErrorReport.cycledInputs(in.x(), ErrorReport.DRIFT_STEPS, m.n());
                    out.println("error on " + input + ": " + ErrorReport.drift(m, q, xs, ErrorReport.DRIFT_STEPS));
                }
            }
        }
        out.flush();
        return 0;
    }

    private static long size(Path p) {
        try {
            if (OutputPath.isStdout(p) || !Files.isRegularFile(p)) return -1;
            return Files.size(p);
        } catch (IOException e) {
            throw VecrnnException.inFile(p, "cannot read its size: " + e.getMessage());
        }
    }

    static final class SchemeConverter implements ITypeConverter<Int8Scheme> {
        @Override
        public Int8Scheme convert(String s) {
            try {
                return Int8Scheme.parse(s);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
