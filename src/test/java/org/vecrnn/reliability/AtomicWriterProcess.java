package org.vecrnn.reliability;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.vecrnn.io.SafeTensorsWriter;
import org.vecrnn.io.Tensor;

/**
 * Child process for {@link KillWriterTest}: rewrites one file for ever, version after version. Version v
 * holds a tensor "x" of 256k floats all equal to v, so a reader can tell a whole version from a torn one.
 */
public final class AtomicWriterProcess {
    static final int VALUES = 256 * 1024;

    public static void main(String[] args) {
        Path target = Path.of(args[0]);
        float[] x = new float[VALUES];
        System.out.println("started");
        System.out.flush();
        for (int v = 1; ; v++) {
            Arrays.fill(x, v);
            SafeTensorsWriter.write(target, List.of(Tensor.of("x", x, VALUES)), Map.of("version", Integer.toString(v)));
        }
    }
}
