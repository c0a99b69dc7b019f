package org.vecrnn.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.vecrnn.RandomModels;
import org.vecrnn.VecrnnException;
import org.vecrnn.cli.Main;
import org.vecrnn.train.data.CsvTable;
import org.vecrnn.io.FileKind;
import org.vecrnn.io.ModelFile;
import org.vecrnn.io.SafeTensorsWriter;
import org.vecrnn.io.Tensor;
import org.vecrnn.model.ElmanRnn;
import org.vecrnn.model.Output;
import org.vecrnn.text.Word2VecFormat;

/**
 * A model or input that is not a file (a FIFO, a device, a folder) is refused at once with a message that
 * says what it is, never opened (a FIFO would block the open, a device would be read for ever); a text
 * file given as a model says it is not a safetensors file; no permission says so.
 */
class InputKindTest {
    @TempDir
    Path dir;

    static String[] run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new String[] {Integer.toString(code), err.toString().strip()};
    }

    Path fifo() throws Exception {
        Path f = dir.resolve("model.fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", f.toString()).start().waitFor());
        return f;
    }

    @Test
    @Timeout(30)
    void aFifoIsRefusedAtOnce() throws Exception {
        Path f = fifo();
        for (String[] args : new String[][] {{"stream", "--model", f.toString()}, {"inspect", f.toString()},
                {"forward", "--model", f.toString(), "--input", f.toString(), "--output", dir.resolve("o").toString()},
                {"train", "--train", f.toString(), "--topology", "many-to-one", "--output", dir.resolve("m").toString()}}) {
            String[] r = run(args);
            assertEquals("1", r[0], String.join(" ", args) + ": " + r[1]);
            assertTrue(r[1].endsWith(f + ": is a FIFO (named pipe), not a file; give the path of a file"), r[1]);
        }
        assertThrows(VecrnnException.class, () -> Word2VecFormat.readText(f));
    }

    @Test
    @Timeout(30)
    void aDeviceOrFolderIsRefusedAtOnce() {
        Path zero = Path.of("/dev/zero");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(zero));
        String[] r = run("stream", "--model", zero.toString());
        assertEquals("1", r[0], r[1]);
        assertEquals("vecrnn stream: /dev/zero: is a character device, not a file; give the path of a file", r[1]);
        VecrnnException e = assertThrows(VecrnnException.class, () -> ModelFile.load(dir));
        assertTrue(e.getMessage().endsWith(": is a folder, not a file; give the path of a file"), e.getMessage());
        e = assertThrows(VecrnnException.class, () -> CsvTable.read(zero));
        assertTrue(e.getMessage().contains("character device"), e.getMessage());
    }

    @Test
    void aTextFileIsNotASafetensorsFile() throws Exception {
        Path readme = dir.resolve("README.md");
        Files.writeString(readme, "# vecrnn\n\nElman recurrent neural networks on the JVM.\n");
        String[] r = run("inspect", readme.toString());
        assertEquals("1", r[0], r[1]);
        assertTrue(r[1].contains(readme + ": not a safetensors file"), r[1]);
        VecrnnException e = assertThrows(VecrnnException.class, () -> ModelFile.load(readme));
        assertTrue(e.getMessage().contains("not a safetensors file"), e.getMessage());
    }

    /**
     * A model that vecrnn may not read says so, exit 1, one line. As root every file is readable, so the
     * command then runs as user 65534 (nobody), through setpriv (util-linux) or runuser, in a child JVM whose
     * class path is copied where that user may read it; as another user a file of mode 000 shows it directly.
     */
    @Test
    @Timeout(120)
    void permissionDeniedSaysSo() throws Exception {
        assertEquals("permission denied", FileKind.reason(new AccessDeniedException("/x")));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path model = dir.resolve("locked.safetensors"), input = dir.resolve("in.safetensors"), output = dir.resolve("out.safetensors");
        try (ElmanRnn m = RandomModels.model(3, 4, 2, Output.SIGMOID, 1, 19)) {
            ModelFile.save(m, model, Map.of());
        }
        SafeTensorsWriter.write(input, List.of(Tensor.of("x", new float[6], 1, 2, 3)), Map.of());
        boolean root = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue() == 0;
        if (!root) {
            Files.setPosixFilePermissions(model, PosixFilePermissions.fromString("---------"));
            String[] r = run("forward", "--model", model.toString(), "--input", input.toString(), "--output", output.toString());
            assertEquals("1", r[0], r[1]);
            assertEquals("vecrnn forward: " + model + ": permission denied: vecrnn may not read it", r[1]);
            VecrnnException e = assertThrows(VecrnnException.class, () -> ModelFile.load(model));
            assertTrue(e.getMessage().endsWith("permission denied: vecrnn may not read it"), e.getMessage());
            return;
        }
        Files.setPosixFilePermissions(model, PosixFilePermissions.fromString("rw-------"));
        List<String> asNobody = OtherUser.command();
        org.junit.jupiter.api.Assumptions.assumeTrue(asNobody != null,
                "running as root, and neither setpriv nor runuser can run a command as user 65534 here");
        List<String> cmd = new ArrayList<>(asNobody);
        cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:-UsePerfData",
                "--enable-native-access=ALL-UNNAMED", "-Dvecrnn.kernel.quiet=true", "-cp", OtherUser.readableClassPath(dir.resolve("cp")),
                "org.vecrnn.cli.Main", "forward", "--model", model.toString(), "--input", input.toString(), "--output", output.toString()));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String err = new String(p.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(1, p.exitValue(), err);
        // start-up notes ("vecrnn: ...") aside, one line
        assertEquals(List.of("vecrnn forward: " + model + ": permission denied: vecrnn may not read it"),
                err.lines().filter(l -> !l.startsWith("vecrnn: ")).toList(), err);
        assertTrue(Files.notExists(output));
    }
}
