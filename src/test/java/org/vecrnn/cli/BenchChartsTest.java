package org.vecrnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vecrnn.VecrnnException;

/**
 * bench/run's charts, on JMH's JSON from two short runs of the benchmarks (one iteration each, no warm-up:
 * the scores are not measurements, only the file format is).
 */
class BenchChartsTest {
    static final Path STREAM = Path.of("src/test/resources/bench/jmh-stream-sample.json"),
            TANH = Path.of("src/test/resources/bench/jmh-tanh-sample.json");

    @TempDir
    Path tmp;

    @Test
    void readsEveryResultWithItsParametersScoreAndUnit() {
        List<BenchCharts.Result> rs = BenchCharts.read(STREAM);
        assertEquals(6, rs.size());
        BenchCharts.Result first = rs.get(0);
        assertEquals("StreamBench.step", first.shortName());
        assertEquals("avgt", first.mode());
        assertEquals(Map.of("impl", "scalar", "size", "64x128x8"), first.params());
        assertEquals("ns/op", first.unit());
        assertEquals(101107.342, first.score(), 0.01, "the score JMH printed in its table");
    }

    @Test
    void writesOneChartPerMethodBesideTheResults() throws IOException {
        Path results = tmp.resolve("latest.txt");
        Files.writeString(results, "# 2026-12-04T18:27:00Z x86_64, 2 cores, a test\n");
        List<BenchCharts.Result> all = new ArrayList<>(BenchCharts.read(STREAM));
        all.addAll(BenchCharts.read(TANH));
        List<Path> pngs = BenchCharts.write(all, results, BenchCharts.header(results));
        assertEquals(List.of(tmp.resolve("latest-StreamBench.step.png"), tmp.resolve("latest-TanhBench.apply.png")), pngs);
        for (Path png : pngs) {
            BufferedImage image = ImageIO.read(png.toFile());
            assertEquals(LineChart.WIDTH, image.getWidth(), png.toString());
            assertEquals(LineChart.HEIGHT, image.getHeight(), png.toString());
        }
        assertEquals("2026-12-04T18:27:00Z x86_64, 2 cores, a test", BenchCharts.header(results));
    }

    @Test
    void aFileThatIsNotJmhJsonIsRefusedNamingIt() throws IOException {
        Path bad = Files.writeString(tmp.resolve("bad.json"), "{\"benchmark\": 1}");
        VecrnnException e = assertThrows(VecrnnException.class, () -> BenchCharts.read(bad));
        assertTrue(e.getMessage().startsWith(bad + ": "), e.getMessage());
        Path truncated = Files.writeString(tmp.resolve("cut.json"), Files.readString(STREAM).substring(0, 500));
        e = assertThrows(VecrnnException.class, () -> BenchCharts.read(truncated));
        assertTrue(e.getMessage().startsWith(truncated + ": is not JMH's JSON output"), e.getMessage());
    }

    /** BatchBench's eight implementations do not fit side by side (the axis dropped the last one): they are written upwards; four sizes fit. */
    @Test
    void namesTooLongForTheirRoomAreWrittenUpwards() {
        assertTrue(LineChart.crowded(new String[] {"scalar", "vecrnn", "vecrnn_2threads", "java", "java_2threads", "c_fused", "openblas_sgemm", "onednn_rnn"}));
        assertEquals(false, LineChart.crowded(new String[] {"64x128x8", "128x256x16", "256x512x32", "512x1024x64"}));
        assertEquals(false, LineChart.crowded(new String[] {"jdk", "rational"}));
    }
}
