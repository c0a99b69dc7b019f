package org.vecrnn.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.vecrnn.io.SafeTensors;
import org.vecrnn.io.SafeTensorsWriter;

/**
 * {@code --output -} writes through the inherited descriptor 1, never by reopening /dev/stdout: at the
 * descriptor's own offset ({@code >>} appends, nothing earlier is overwritten), refused when descriptor 1 is
 * read-only (with {@code >&-} the JVM's own files land there) or is the input itself; and a pipe named by
 * /dev/fd/N is written in place.
 */
@Timeout(120)
class StdoutOutputTest {
    @TempDir
    Path dir;
    Path model, input;
    byte[] expected;

    @BeforeEach
    void files() throws Exception {
        model = dir.resolve("model.safetensors");
        input = dir.resolve("in.safetensors");
        Files.copy(OutputSafetyTest.CASE, model);
        try (SafeTensors st = SafeTensors.open(OutputSafetyTest.CASE)) {
            SafeTensorsWriter.write(input, List.of(st.get("x"), st.get("h0")), Map.of());
        }
        // the reference from the same kind of JVM as the runs under test (a regular file, renamed into place;
        // forward's report line then goes to stdout, left unread)
        Path ref = dir.resolve("ref.safetensors");
        Process p = new ProcessBuilder(forward(ref.toString())).start();
        String err = StreamLimitsTest.stderr(p);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), err);
        expected = Files.readAllBytes(ref);
    }

    private List<String> forward(String output) {
        return StreamLimitsTest.command("forward", "--model", model.toString(), "--input", input.toString(), "--output", output);
    }

    @Test
    void stdoutOpenedForAppendingKeepsWhatWasThere() throws Exception {
        Path f = dir.resolve("log.bin");
        Files.writeString(f, "OLD\n");
        Process p = new ProcessBuilder(forward("-")).redirectOutput(ProcessBuilder.Redirect.appendTo(f.toFile())).start();
        String err = StreamLimitsTest.stderr(p);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), err);
        ByteArrayOutputStream want = new ByteArrayOutputStream();
        want.write("OLD\n".getBytes());
        want.write(expected);
        assertArrayEquals(want.toByteArray(), Files.readAllBytes(f), "reopening /dev/stdout wrote from offset 0 over the earlier bytes");
    }

    @Test
    void stdoutRedirectedIntoTheInputIsRefused() throws Exception {
        byte[] before = Files.readAllBytes(input);
        Process p = new ProcessBuilder(forward("-")).redirectOutput(ProcessBuilder.Redirect.appendTo(input.toFile())).start();
        String err = StreamLimitsTest.stderr(p);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, p.exitValue(), err);
        assertTrue(err.contains("stdout is redirected to --input"), err);
        assertArrayEquals(before, Files.readAllBytes(input), "the input changed");
    }

    /** {@code 1< file}: descriptor 1 is open for reading only; before, the file was rewritten through /dev/stdout. */
    @Test
    void aReadOnlyStdoutIsRefusedAndItsFileKept() throws Exception {
        Assumptions.assumeTrue(new File("/bin/bash").canExecute() && Files.isDirectory(Path.of("/proc/self/fdinfo")), "no bash or /proc here");
        Path victim = dir.resolve("victim.bin");
        Files.write(victim, "not the output".getBytes());
        byte[] before = Files.readAllBytes(victim);
        String cmd = "exec " + String.join(" ", forward("-").stream().map(OutputErrorsTest::quote).toList()) + " 1< " + OutputErrorsTest.quote(victim.toString());
        Process p = new ProcessBuilder("/bin/bash", "-c", cmd).start();
        String err = StreamLimitsTest.stderr(p);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(1, p.exitValue(), err);
        assertEquals(List.of("vecrnn forward: stdout: is not open for writing (closed when vecrnn started, or opened for reading); redirect it to a file or a pipe (or give --output a file name)"), err.lines().toList());
        assertArrayEquals(before, Files.readAllBytes(victim), "the file behind descriptor 1 changed");
    }

    /** {@code --output /dev/fd/3} with descriptor 3 a pipe: its link reads "pipe:[N]", which is no path to rename over. */
    @Test
    void aPipeNamedByDevFdIsWrittenInPlace() throws Exception {
        Assumptions.assumeTrue(new File("/bin/bash").canExecute() && Files.isDirectory(Path.of("/proc/self/fd")), "no bash or /proc here");
        String cmd = String.join(" ", forward("/dev/fd/3").stream().map(OutputErrorsTest::quote).toList()) + " 3>&1 >/dev/null";
        Process p = new ProcessBuilder("/bin/bash", "-c", cmd).start();
        byte[] got = p.getInputStream().readAllBytes();
        String err = StreamLimitsTest.stderr(p);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), err);
        assertFalse(err.contains("cannot write"), err);
        assertArrayEquals(expected, got);
    }
}
