package org.vecrnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vecrnn.RandomModels;
import org.vecrnn.io.ModelFile;
import org.vecrnn.model.ElmanRnn;
import org.vecrnn.model.Output;

class SampleCommandTest {
    @TempDir
    Path tmp;

    Path charModel() {
        Path f = tmp.resolve("chars.safetensors");
        try (ElmanRnn m = RandomModels.model(5, 16, 5, Output.SOFTMAX, 3, 7)) {
            ModelFile.save(m, f, Map.of("task", "chars", "vocabulary", "\nabc "));
        }
        return f;
    }

    @Test
    void samplingRepeatsWithItsSeedAndBeamOfOneIsGreedy() {
        String m = charModel().toString();
        Cli a = Cli.run("sample", "--model", m, "--start", "ab", "--length", "80", "--seed", "5");
        Cli b = Cli.run("sample", "--model", m, "--start", "ab", "--length", "80", "--seed", "5");
        assertEquals(0, a.code(), a.toString());
        assertEquals(a.out(), b.out());
        assertTrue(a.out().startsWith("ab"), a.out());
        assertEquals(82, a.out().length() - 1, "start text, 80 characters and a new line");
        boolean differs = false;
        for (int s = 6; s < 16 && !differs; s++)
            differs = !a.out().equals(Cli.run("sample", "--model", m, "--start", "ab", "--length", "80", "--seed", "" + s).out());
        assertTrue(differs, "another seed gives other text");
        Cli greedy = Cli.run("sample", "--model", m, "--method", "greedy", "--length", "30");
        Cli beam1 = Cli.run("sample", "--model", m, "--method", "beam", "--width", "1", "--length", "30");
        assertEquals(greedy.out(), beam1.out());
        assertNotEquals("", greedy.out().strip());
    }

    @Test
    void refusesWhatItCannotUse() {
        Path tiny = Path.of("src/main/resources/examples/tiny-model.safetensors");
        Cli notChars = Cli.run("sample", "--model", tiny.toString());
        assertEquals(1, notChars.code(), notChars.toString());
        assertTrue(notChars.errLine().contains(tiny + ": is not a character model"), notChars.toString());
        assertEquals(2, Cli.run("sample", "--model", charModel().toString(), "--start", "xyz").code());
        assertEquals(2, Cli.run("sample", "--model", charModel().toString(), "--temperature", "0").code());
    }
}
