package org.vecrnn.reliability;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vecrnn.VecrnnException;
import org.vecrnn.io.SafeTensors;
import org.vecrnn.io.SafeTensorsWriter;
import org.vecrnn.io.Tensor;

/**
 * Another program truncates a model while it loads: the load either finishes (the truncation came after)
 * or fails with a VecrnnException naming the file; never an Error (a mapped file faults with InternalError,
 * which a service that catches Exception does not survive).
 */
class TruncatedWhileLoadingTest {
    static final long SEED = 1919;
    static final int ROUNDS = 24, FLOATS = 8 << 20;

    @TempDir
    Path dir;

    @Test
    void truncatedMidLoadIsAVecrnnException() throws Exception {
        System.out.println("TruncatedWhileLoadingTest seed " + SEED);
        SplittableRandom r = new SplittableRandom(SEED);
        Path valid = dir.resolve("valid.safetensors"), file = dir.resolve("model.safetensors");
        SafeTensorsWriter.write(valid, List.of(Tensor.of("x", new float[FLOATS], FLOATS)), Map.of());
        int refused = 0, loaded = 0;
        for (int round = 0; round < ROUNDS; round++) {
            Files.copy(valid, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            long cut = r.nextLong(0, Files.size(valid)), delayNanos = r.nextLong(0, 80_000_000);
            Thread truncator = new Thread(() -> {
                long until = System.nanoTime() + delayNanos;
                while (System.nanoTime() < until) Thread.onSpinWait();
                try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                    ch.truncate(cut);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            truncator.start();
            try (SafeTensors st = SafeTensors.open(file)) {
                float[] x = st.get("x").floats();
                assertTrue(x.length == FLOATS);
                loaded++;
            } catch (VecrnnException e) {
                assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
                refused++;
            } catch (Throwable t) {
                fail("round " + round + " (seed " + SEED + ", cut at " + cut + ", after " + delayNanos + " ns): " + t, t);
            }
            truncator.join();
        }
        System.out.println("truncated while loading: " + loaded + " loaded, " + refused + " refused");
        assertTrue(refused > 0, "no round truncated the file during the load: the test did not test it");
    }
}
