package org.vecrnn.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vecrnn.io.SafeTensors;
import org.vecrnn.io.Tensor;

/**
 * A training run killed with SIGKILL in the middle of an epoch: its checkpoint is complete (a valid file of
 * the last finished epoch, never half-written), --resume finishes the run, and the model is bit for bit the
 * one an uninterrupted run writes. The CLI runs in a child JVM from target/classes and the dependency jars.
 */
class KillResumeTest {
    static final String[] TRAIN = {"train", "--task", "chars", "--hidden", "16", "--window", "32", "--batch", "64", "--epochs", "2"};

    static Process start(Path dir, String model, boolean resume) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cp = new ArrayList<>();
        for (Class<?> c : new Class<?>[] {Main.class, picocli.CommandLine.class, tools.jackson.core.JsonParser.class})
            cp.add(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
        List<String> cmd = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-cp", String.join(File.pathSeparator, cp), "org.vecrnn.cli.Main"));
        cmd.addAll(List.of(TRAIN));
        cmd.addAll(List.of("--output", dir.resolve(model).toString()));
        if (resume) cmd.add("--resume");
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve(model + ".log").toFile()).start();
    }

    @Test
    void killedMidEpochResumesFromItsLastCheckpoint(@TempDir Path dir) throws Exception {
        Path ckpt = dir.resolve("m.safetensors.ckpt");
        long t0 = System.nanoTime();
        Process p = start(dir, "m.safetensors", false);
        while (!Files.exists(ckpt) && p.isAlive()) Thread.sleep(5);
        assertTrue(p.isAlive(), "finished before the first checkpoint: " + Files.readString(dir.resolve("m.safetensors.log")));
        long epoch = System.nanoTime() - t0;
        // the checkpoint of epoch 1 appears while epoch 2 already runs (it is written in the background, and
        // short runs warm up quickly now), so kill soon after it: epoch = JVM start + epoch 1, an upper bound
        Thread.sleep(Math.max(20, TimeUnit.NANOSECONDS.toMillis(epoch) / 10)); // inside epoch 2
        assertTrue(p.isAlive(), "the run ended before the kill");
        p.destroyForcibly(); // SIGKILL on Linux: no shutdown hooks, no finally blocks
        p.waitFor();
        assertTrue(Files.notExists(dir.resolve("m.safetensors")), "no model yet");
        try (SafeTensors st = SafeTensors.open(ckpt)) { // complete and valid
            assertEquals("vecrnn-checkpoint", st.metadata().get("format"));
            assertTrue(Integer.parseInt(st.metadata().get("epochs_done")) >= 1);
        }

        Process resumed = start(dir, "m.safetensors", true);
        assertEquals(0, resumed.waitFor(), Files.readString(dir.resolve("m.safetensors.log")));
        String log = Files.readString(dir.resolve("m.safetensors.log"));
        assertTrue(log.contains("resuming from"), log);
        assertTrue(log.contains("val_bpc="), log);
        assertTrue(Files.notExists(ckpt), "the finished run removed its checkpoint");

        Process whole = start(dir, "w.safetensors", false);
        assertEquals(0, whole.waitFor(), Files.readString(dir.resolve("w.safetensors.log")));
        try (SafeTensors a = SafeTensors.open(dir.resolve("m.safetensors")); SafeTensors b = SafeTensors.open(dir.resolve("w.safetensors"))) {
            for (String name : List.of("U", "W", "a", "V", "b")) {
                Tensor x = a.get(name), y = b.get(name);
                assertArrayEquals(y.floats(), x.floats(), name + ": resumed run differs from the uninterrupted one");
            }
        }
    }
}
