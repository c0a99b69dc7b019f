package org.vecrnn.reliability;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.vecrnn.io.SafeTensorsWriter;
import org.vecrnn.io.Tensor;

/**
 * Child process for {@link KillWriterTest}: rewrites one file for ever, version after version (or, with a
 * second argument "hang", writes half a file and waits to be killed). Version v
 * holds a tensor "x" of 256k floats all equal to v, so a reader can tell a whole version from a torn one.
 */
public final class AtomicWriterProcess {
    static final int VALUES = 256 * 1024;

    public static void main(String[] args) throws Exception {
        Path target = Path.of(args[0]);
        if (args.length > 1 && args[1].equals("hang")) { // half a file written, then wait to be killed
            org.vecrnn.io.AtomicFile.write(target, ch -> {
                ch.write(java.nio.ByteBuffer.wrap(new byte[4096]));
                System.out.println("writing");
                System.out.flush();
                try {
                    Thread.sleep(600_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            return;
        }
        float[] x = new float[VALUES];
        System.out.println("started");
        System.out.flush();
        for (int v = 1; ; v++) {
            Arrays.fill(x, v);
            SafeTensorsWriter.write(target, List.of(Tensor.of("x", x, VALUES)), Map.of("version", Integer.toString(v)));
        }
    }
}
