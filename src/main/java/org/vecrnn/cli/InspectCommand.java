package org.vecrnn.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.vecrnn.io.SafeTensors;
import org.vecrnn.io.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "List the tensors (name, dtype, shape, bytes) and metadata of a safetensors file.")
final class InspectCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "a .safetensors file")
    Path file;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (SafeTensors st = SafeTensors.open(file)) {
            out.printf("%s: %d bytes, %d tensors%n", file, st.fileBytes(), st.tensors().size());
            for (Tensor t : st.tensors().values())
                out.printf("  %-28s %-4s %-16s %d bytes%n", t.name(), t.dtype(), t.shapeString(), t.data().byteSize());
            if (!st.metadata().isEmpty()) {
                out.println("metadata:");
                st.metadata().forEach((k, v) -> out.printf("  %s = %s%n", k, v));
            }
        }
        out.flush();
        return 0;
    }
}
