package org.vecrnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `vecrnn demo` runs end to end and prints every figure: digits accuracy, int8 accuracy and bytes, streaming
 * latency, captions, text, the stacked ReLU digits model. Its accuracy figures are the issues' acceptance figures, so they are checked here.
 */
class DemoCommandTest {
    @Test
    void demoPrintsEveryFigure(@TempDir Path dir) throws Exception {
        Cli c = Cli.run("demo", "--report", dir.toString());
        assertEquals(0, c.code(), c.toString());
        String out = c.out();
        System.out.println(out);
        double fp32 = number(out, "test accuracy: fp32 ([0-9.]+)"), int8 = number(out, "test accuracy: fp32 [0-9.]+, int8 ([0-9.]+)");
        assertTrue(fp32 >= 0.97, "digits test accuracy " + fp32);
        assertTrue(fp32 - int8 <= 0.005, "int8 loses at most half a point: fp32 " + fp32 + ", int8 " + int8);
        assertTrue(number(out, "model bytes: fp32 ([0-9,]+)") > 3 * number(out, "model bytes: fp32 [0-9,]+, int8 ([0-9,]+)"));
        assertTrue(out.matches("(?s).*fp32  p50 +[0-9,]+ ns  p99 +[0-9,]+ ns +[0-9,]+ steps/s.*"), "fp32 latency line");
        assertTrue(out.matches("(?s).*int8  p50 +[0-9,]+ ns  p99 +[0-9,]+ ns +[0-9,]+ steps/s.*"), "int8 latency line");
        assertTrue(number(out, "exactly right captions: ([0-9.]+)") >= 0.90, "captions");
        assertTrue(out.contains("test image 0 (digit three): \""), "a caption is shown");
        assertTrue(number(out, "([0-9.]+) bits per character") < 3.5, "the character model learned something");
        assertTrue(out.contains("   | "), "a text sample is shown");
        double stacked = number(out, "both layers: accuracy fp32 ([0-9.]+)"), stacked8 = number(out, "both layers: accuracy fp32 [0-9.]+, int8 ([0-9.]+)");
        assertTrue(stacked >= 0.95, "2 ReLU layers, 10 epochs: test accuracy " + stacked);
        assertTrue(stacked - stacked8 <= 0.01, "stacked int8 loses at most a point: fp32 " + stacked + ", int8 " + stacked8);
        assertTrue(number(out, "demo finished in ([0-9.]+) s") < 60, "under a minute");
        // --report: each training's epochs and charts in a folder of its own
        assertEquals(31, Files.readAllLines(dir.resolve("digits/epochs.csv")).size(), "a header and 30 epochs");
        assertEquals(11, Files.readAllLines(dir.resolve("stacked/epochs.csv")).size(), "a header and 10 epochs");
        for (String f : List.of("digits/loss.png", "digits/accuracy.png", "captions/loss.png", "captions/accuracy.png", "chars/loss.png", "stacked/loss.png"))
            assertTrue(Files.size(dir.resolve(f)) > 1000, f);
    }

    private static double number(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertTrue(m.find(), "no match for " + regex + " in\n" + text);
        return Double.parseDouble(m.group(1).replace(",", ""));
    }
}
