package org.vecrnn.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import java.util.Map;
import org.vecrnn.io.SafeTensors;
import org.vecrnn.io.SafeTensorsWriter;
import org.vecrnn.io.Tensor;

/** A writer killed with SIGKILL at random moments leaves either the old complete file or the new one. */
class KillWriterTest {
    static final long SEED = 4242;
    static final int KILLS = 12;

    @TempDir
    Path tmp;

    @Test
    void killedWriterNeverLeavesHalfAFile() throws Exception {
        System.out.println("KillWriterTest seed " + SEED);
        SplittableRandom r = new SplittableRandom(SEED);
        Path target = tmp.resolve("model.safetensors");
        int lastVersion = 0;
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        for (int kill = 0; kill < KILLS; kill++) {
            Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), AtomicWriterProcess.class.getName(),
                    target.toString()).redirectErrorStream(true).start();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
                assertEquals("started", out.readLine(), "the writer process starts");
                // let it finish its first version, then kill it somewhere in a later one
                for (int wait = 0; wait < 3000 && !Files.exists(target); wait++) Thread.sleep(10);
                Thread.sleep(r.nextInt(0, 150));
                p.destroyForcibly(); // SIGKILL on Linux: no shutdown hooks, no finally blocks
                assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            }
            try (SafeTensors st = SafeTensors.open(target)) {
                int version = Integer.parseInt(st.metadata().get("version"));
                float[] x = st.get("x").floats();
                assertEquals(AtomicWriterProcess.VALUES, x.length, "kill " + kill + ": whole tensor");
                for (float v : x) assertEquals(version, v, "kill " + kill + ": every value of version " + version);
                lastVersion = version;
            }
        }
        assertTrue(lastVersion > 0, "at least one version was completed and checked");
        // temporary files of killed writers may remain; they never take the target's name
        try (var s = Files.list(tmp)) {
            List<Path> others = s.filter(p -> !p.equals(target)).toList();
            for (Path o : others) assertTrue(o.getFileName().toString().matches("\\.model\\.safetensors\\..*\\.tmp"), o.toString());
        }
        // and the next write to the same target removes them
        SafeTensorsWriter.write(target, List.of(Tensor.of("x", new float[] {1}, 1)), Map.of("version", "0"));
        try (var s = Files.list(tmp)) {
            assertEquals(List.of(target), s.toList(), "leftovers of the killed writers");
        }
    }

    /** SIGTERM (and SIGINT: the same shutdown hook) in the middle of a write removes the temporary file. */
    @Test
    void terminatedWriterRemovesItsTemporaryFile() throws Exception {
        Path target = tmp.resolve("hung.safetensors");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), AtomicWriterProcess.class.getName(),
                target.toString(), "hang").redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
            assertEquals("writing", out.readLine());
            try (var s = Files.list(tmp)) {
                assertEquals(1, s.filter(f -> f.getFileName().toString().startsWith(".hung.safetensors.")).count(), "a temporary file is being written");
            }
            p.destroy(); // SIGTERM
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        } finally {
            p.destroyForcibly();
        }
        try (var s = Files.list(tmp)) {
            assertEquals(List.of(), s.toList(), "nothing left behind: no target, no temporary file");
        }
    }
}
