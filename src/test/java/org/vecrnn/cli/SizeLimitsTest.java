package org.vecrnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vecrnn.Sizes;

/** Sizes from options and files are checked in 64-bit arithmetic before anything is allocated. */
class SizeLimitsTest {
    @TempDir
    Path dir;

    @Test
    void sizesThatNoArrayHoldsAreUsageErrors() throws Exception {
        Path csv = dir.resolve("d.csv");
        Files.writeString(csv, "label,x\n1,0.5\n0,0.25\n");
        String out = dir.resolve("m.safetensors").toString();
        Cli r = Cli.run("train", "--train", csv.toString(), "--topology", "many-to-one", "--classes", "2000000000", "--output", out);
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("--classes × --hidden is 128000000000 values, more than one Java array holds (2147483639)"), r.toString());
        r = Cli.run("train", "--train", csv.toString(), "--topology", "many-to-one", "--features", "2000000000", "--hidden", "16384", "--output", out);
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("--hidden × --features is"), r.toString());
        r = Cli.run("train", "--train", csv.toString(), "--topology", "many-to-many", "--window", "2000000000", "--batch", "65536", "--output", out);
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("--batch × --window × --features is"), r.toString());
        assertTrue(Files.notExists(dir.resolve("m.safetensors")));
    }

    @Test
    void productsSaturateInsteadOfWrapping() {
        assertEquals(Long.MAX_VALUE, Sizes.product(1L << 40, 1L << 40));
        assertEquals(Long.MAX_VALUE, Sizes.product(-1, 5));
        assertEquals(6, Sizes.product(1, 2, 3));
        assertTrue(Sizes.floatsProblem(Long.MAX_VALUE).startsWith("more than 2^63 values"));
        long heapFloats = Runtime.getRuntime().maxMemory() / 4 + 1;
        if (heapFloats <= Sizes.MAX_ARRAY) assertTrue(Sizes.floatsProblem(heapFloats).contains("largest heap"));
        assertEquals(null, Sizes.floatsProblem(1000));
    }
}
