package org.vecrnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every whole-number option of every command (each picocli {@code int}/{@code Integer} option in cli/), given a
 * negative, a zero or a huge value, is a usage error (exit 2) that names the option, before anything is
 * read, allocated or written. Zero is left out where it means something (--classes 0: from the labels,
 * --patience 0: never, --window-us 0: no window), and a huge value where it is a count of work rather than a
 * size (--epochs, --patience). --seed takes any value.
 */
class IntOptionLimitsTest {
    static final String HUGE = "2000000000", TOO_BIG_FOR_INT = "99999999999";

    @TempDir
    static Path dir;
    static Path csv, series, out;

    @BeforeAll
    static void data() throws Exception {
        csv = dir.resolve("d.csv");
        Files.writeString(csv, "label,x\n1,0.5\n0,0.25\n");
        series = dir.resolve("s.csv");
        Files.writeString(series, "x\n0.5\n0.25\n");
        out = dir.resolve("out.safetensors");
    }

    /** A command line with the option at the end, and the values to try. */
    record Case(List<String> args, String option, List<String> values) {}

    static Case c(String option, String values, String... args) {
        return new Case(List.of(args), option, List.of(values.split(" ")));
    }

    static Stream<Arguments> cases() {
        String o = "--output";
        List<Case> cs = List.of(
                // train on own data: many-to-one, one-to-many and many-to-many CSV
                c("--features", "-1 0 " + HUGE, "train", "--train", "CSV", "--topology", "many-to-one", o, "OUT"),
                c("--outputs", "-1 0 " + HUGE, "train", "--train", "SERIES", "--topology", "one-to-many", o, "OUT"),
                c("--classes", "-1 " + HUGE, "train", "--train", "CSV", "--topology", "many-to-one", o, "OUT"),
                c("--hidden", "-1 0 " + HUGE, "train", "--train", "CSV", "--topology", "many-to-one", o, "OUT"),
                c("--epochs", "-1 0", "train", "--train", "CSV", "--topology", "many-to-one", o, "OUT"),
                c("--batch", "-1 0 " + HUGE, "train", "--train", "CSV", "--topology", "many-to-one", o, "OUT"),
                c("--patience", "-1", "train", "--train", "CSV", "--topology", "many-to-one", o, "OUT"),
                c("--window", "-1 0 " + HUGE, "train", "--train", "SERIES", "--topology", "many-to-many", o, "OUT"),
                c("--threads", "-1 0 " + HUGE, "train", "--train", "CSV", "--topology", "many-to-one", o, "OUT"),
                c("--layers", "-1 0 " + HUGE, "train", "--train", "CSV", "--topology", "many-to-one", o, "OUT"),
                // train on the bundled tasks
                c("--window", "-1 0 " + HUGE, "train", "--task", "co2", o, "OUT"),
                c("--window", "-1 0 " + HUGE, "train", "--task", "chars", o, "OUT"),
                c("--stride", "-1 0 " + HUGE, "train", "--task", "chars", o, "OUT"),
                c("--stride", "-1 0", "train", "--task", "trends", "--series", "SERIES", o, "OUT"),
                c("--hidden", "-1 0 " + HUGE, "train", "--task", "digits", o, "OUT"),
                // bench
                c("--n", "-1 0 " + HUGE, "bench", "--workload", "stream"),
                c("--d", "-1 0 " + HUGE, "bench", "--workload", "stream"),
                c("--k", "-1 0 " + HUGE, "bench", "--workload", "stream"),
                c("--batch", "-1 0 " + HUGE, "bench", "--workload", "batch"),
                c("--steps", "-1 0 " + HUGE, "bench", "--workload", "batch"),
                c("--threads", "-1 0 " + HUGE, "bench", "--workload", "stream"),
                c("--streams", "-1 0 " + HUGE, "bench", "--workload", "streams"),
                c("--window-us", "-1 " + HUGE, "bench", "--workload", "concurrent"),
                c("--layers", "-1 0 " + HUGE, "bench", "--workload", "stream"),
                // sample (generation), stream, kafka
                c("--length", "-1 0 " + HUGE, "sample", "--model", "OUT"),
                c("--width", "-1 0 " + HUGE, "sample", "--model", "OUT", "--method", "beam"),
                c("--max-line-bytes", "-1 0 " + HUGE, "stream", "--model", "OUT"),
                c("--threads", "-1 0 " + HUGE, "kafka", "--model", "OUT", "--bootstrap-servers", "127.0.0.1:9", "--input-topic", "i",
                        "--output-topic", "o", "--application-id", "a"));
        List<Arguments> as = new ArrayList<>();
        for (Case k : cs) {
            List<String> values = new ArrayList<>(k.values());
            values.add(TOO_BIG_FOR_INT);
            for (String v : values) as.add(Arguments.of(String.join(" ", k.args()) + " " + k.option() + " " + v, k.args(), k.option(), v));
        }
        return as.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    @Timeout(60)
    void outOfRangeIsAUsageErrorNamingTheOption(String line, List<String> args, String option, String value) {
        List<String> a = new ArrayList<>();
        for (String s : args) a.add(switch (s) { case "CSV" -> csv.toString(); case "SERIES" -> series.toString(); case "OUT" -> out.toString(); default -> s; });
        a.add(option);
        a.add(value);
        Cli r = Cli.run(a.toArray(String[]::new));
        assertEquals(2, r.code(), line + "\n" + r);
        String first = r.err().lines().findFirst().orElse("");
        assertTrue(first.contains(option), "the first line names " + option + ": " + r);
        assertTrue(Files.notExists(out), "nothing is written");
    }
}
