package org.vecrnn.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vecrnn.RandomModels;
import org.vecrnn.io.ModelFile;
import org.vecrnn.io.SafeTensors;
import org.vecrnn.model.ElmanRnn;
import org.vecrnn.model.Output;

/** Closing a model or a file releases its native memory and mappings at once, not at the next GC. */
class CloseReleasesMemoryTest {
    @TempDir
    Path tmp;

    @Test
    void openAndClose10000TimesKeepsNativeMemoryFlat() throws IOException {
        Path file = tmp.resolve("model.safetensors");
        try (ElmanRnn m = RandomModels.model(new SplittableRandom(5), 64, 128, 8, Output.SIGMOID, 1)) {
            ModelFile.save(m, file, Map.of());
        }
        long before = nativeBytes();
        for (int i = 0; i < 10_000; i++) {
            ElmanRnn m = ModelFile.load(file);
            assertEquals(128, m.d());
            m.close();
            m.close(); // closing twice is harmless
        }
        long after = nativeBytes();
        // each open holds about 70 KB of weights: a leak of even one model per 100 would show as 7 MB
        assertTrue(after - before < 64 * 1024, "native memory grew by " + (after - before) + " bytes");
        assertEquals(0, mappingsOf(file), "no mapping of the model file is left");
    }

    @Test
    void aClosedFileRefusesUse() {
        Path file = tmp.resolve("model.safetensors");
        try (ElmanRnn m = RandomModels.model(new SplittableRandom(6), 2, 3, 1, Output.SIGMOID, 1)) {
            ModelFile.save(m, file, Map.of());
        }
        SafeTensors st = SafeTensors.open(file);
        var t = st.get("W");
        st.close();
        st.close();
        assertThrows(IllegalStateException.class, t::floats);
    }

    /** Off-heap memory the JDK accounts for: FFM allocations are counted in the "direct" pool. */
    static long nativeBytes() {
        long sum = 0;
        for (BufferPoolMXBean b : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) sum += b.getMemoryUsed();
        return sum;
    }

    static long mappingsOf(Path file) throws IOException {
        Path maps = Path.of("/proc/self/maps");
        if (!Files.exists(maps)) return 0;
        String name = file.toAbsolutePath().toString();
        try (var lines = Files.lines(maps)) {
            return lines.filter(l -> l.endsWith(name)).count();
        }
    }
}
