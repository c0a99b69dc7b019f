package org.vecrnn.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.vecrnn.Oracle;
import org.vecrnn.io.FileKind;
import org.vecrnn.io.SafeTensors;
import org.vecrnn.io.SafeTensorsWriter;

/**
 * Outputs never destroy an input and never replace what is not a regular file: an output that is the same
 * file as an input (by identity: the same path, `..`, a hard link, a symbolic link) is refused before
 * anything is read, exit 2, the input untouched; a symbolic link's target is replaced and the link stays;
 * a FIFO and a character device are written in place; a full device is exit 1 with the reason.
 */
class OutputSafetyTest {
    static final Path CASE = Oracle.dir().resolve("m2m_sigmoid_mse_n19_d17_k3_T7_B3_s1002.safetensors");

    @TempDir
    Path dir;
    Path model, input;

    @BeforeEach
    void files() throws Exception {
        model = dir.resolve("model.safetensors");
        input = dir.resolve("in.safetensors");
        Files.copy(CASE, model);
        try (SafeTensors st = SafeTensors.open(CASE)) {
            SafeTensorsWriter.write(input, List.of(st.get("x"), st.get("h0")), Map.of());
        }
        Files.writeString(dir.resolve("data.csv"), "label,x\n1,0.5\n");
        Files.createDirectory(dir.resolve("sub"));
    }

    /** Each case: a command line (with {M}, {I}, {C}, {D} for the model, input, CSV, dir) and the file it must not touch. */
    static Stream<Arguments> clashes() {
        return Stream.of(
                Arguments.of("forward --output = --input", "forward --model {M} --input {I} --output {I}", "{I}"),
                Arguments.of("forward --output = --model, by ..", "forward --model {M} --input {I} --output {D}/sub/../model.safetensors", "{M}"),
                Arguments.of("forward --output a hard link to --input", "forward --model {M} --input {I} --output {D}/hard.safetensors", "{I}"),
                Arguments.of("forward --output a symbolic link to --model", "forward --model {M} --input {I} --output {D}/soft.safetensors", "{M}"),
                Arguments.of("quantize --output = --model", "quantize --model {M} --output {M}", "{M}"),
                Arguments.of("quantize --output = --input", "quantize --model {M} --input {I} --output {I}", "{I}"),
                Arguments.of("grad --output = --data", "grad --model {M} --data {I} --topology many-to-many --loss mse --output {I}", "{I}"),
                Arguments.of("grad --output = --model", "grad --model {M} --data {I} --topology many-to-many --loss mse --output {M}", "{M}"),
                Arguments.of("train --output = --train", "train --train {C} --topology many-to-one --epochs 1 --output {C}", "{C}"),
                Arguments.of("train --checkpoint = --train", "train --train {C} --topology many-to-one --epochs 1 --output {D}/m.safetensors --checkpoint {C}", "{C}"),
                Arguments.of("train --checkpoint = --output", "train --train {C} --topology many-to-one --epochs 1 --output {M} --checkpoint {M}", "{M}"),
                Arguments.of("train --output = --test", "train --train {C} --test {D}/hard.csv --topology many-to-one --epochs 1 --output {D}/hard.csv", "{C}"),
                Arguments.of("train --report's epochs.csv = --train", "train --train {D}/rep/epochs.csv --topology many-to-one --epochs 1 --output {D}/m.safetensors --report {D}/rep", "{C}"),
                Arguments.of("train --report's loss.png = --output", "train --train {C} --topology many-to-one --epochs 1 --output {D}/rep/loss.png --report {D}/rep", "{D}/rep/loss.png"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clashes")
    void anOutputThatIsAnInputIsRefusedBeforeAnythingIsRead(String what, String line, String untouched) throws Exception {
        Files.createLink(dir.resolve("hard.safetensors"), input);
        Files.createSymbolicLink(dir.resolve("soft.safetensors"), model);
        Files.createLink(dir.resolve("hard.csv"), dir.resolve("data.csv"));
        Files.createDirectory(dir.resolve("rep"));
        Files.createLink(dir.resolve("rep/epochs.csv"), dir.resolve("data.csv"));
        Files.writeString(dir.resolve("rep/loss.png"), "an earlier chart");
        Path keep = Path.of(fill(untouched));
        byte[] before = Files.readAllBytes(keep);
        List<String> args = new ArrayList<>();
        for (String a : line.split(" ")) args.add(fill(a));
        Cli r = Cli.run(args.toArray(String[]::new));
        assertEquals(2, r.code(), what + ": " + r);
        assertTrue(r.errLine().contains("is the same file as"), r.toString());
        assertEquals(1, r.errLine().lines().count(), r.toString());
        assertArrayEquals(before, Files.readAllBytes(keep), what + ": the input changed");
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(), s.filter(p -> p.getFileName().toString().endsWith(".tmp") || p.getFileName().toString().endsWith(".ckpt")).toList());
        }
    }

    private String fill(String a) {
        return a.replace("{M}", model.toString()).replace("{I}", input.toString()).replace("{C}", dir.resolve("data.csv").toString())
                .replace("{D}", dir.toString());
    }

    @Test
    void aSymbolicLinkStaysALinkAndItsTargetIsReplaced() throws Exception {
        Path target = dir.resolve("sub/real.safetensors"), link = dir.resolve("link.safetensors");
        Files.writeString(target, "old");
        Files.createSymbolicLink(link, Path.of("sub/real.safetensors"));
        Cli r = Cli.run("forward", "--model", model.toString(), "--input", input.toString(), "--output", link.toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(Files.isSymbolicLink(link), "the link was replaced by a file");
        assertEquals(Path.of("sub/real.safetensors"), Files.readSymbolicLink(link));
        try (SafeTensors st = SafeTensors.open(target)) {
            assertTrue(st.has("o"));
        }
        // a dangling link: its target is created
        Path dangling = dir.resolve("dangling.safetensors");
        Files.createSymbolicLink(dangling, Path.of("sub/new.safetensors"));
        assertEquals(0, Cli.run("forward", "--model", model.toString(), "--input", input.toString(), "--output", dangling.toString()).code());
        assertTrue(Files.isSymbolicLink(dangling));
        assertTrue(Files.isRegularFile(dir.resolve("sub/new.safetensors")));
    }

    @Test
    @Timeout(60)
    void aFifoIsWrittenInPlace() throws Exception {
        Path fifo = dir.resolve("out.fifo");
        Process mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertEquals(0, mk.waitFor());
        CompletableFuture<byte[]> read = CompletableFuture.supplyAsync(() -> {
            try {
                return Files.readAllBytes(fifo);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        Cli r = Cli.run("forward", "--model", model.toString(), "--input", input.toString(), "--output", fifo.toString());
        assertEquals(0, r.code(), r.toString());
        byte[] got = read.get(30, TimeUnit.SECONDS);
        assertEquals(FileKind.FIFO, FileKind.of(fifo), "the FIFO is still a FIFO");
        Path copy = dir.resolve("copy.safetensors");
        Files.write(copy, got);
        try (SafeTensors st = SafeTensors.open(copy)) {
            assertTrue(st.has("h") && st.has("o"));
        }
    }

    /** /dev/null stays a device; /dev/full is one line with the reason and exit 1 (and stays a device too). */
    @Test
    void characterDevicesAreWrittenInPlace() throws Exception {
        Path nul = Path.of("/dev/null"), full = Path.of("/dev/full");
        org.junit.jupiter.api.Assumptions.assumeTrue(FileKind.CHAR_DEVICE.equals(FileKind.of(nul)) && FileKind.CHAR_DEVICE.equals(FileKind.of(full)));
        Cli r = Cli.run("forward", "--model", model.toString(), "--input", input.toString(), "--output", nul.toString());
        assertEquals(0, r.code(), r.toString());
        assertEquals(FileKind.CHAR_DEVICE, FileKind.of(nul));
        Cli f = Cli.run("quantize", "--model", model.toString(), "--output", full.toString());
        assertEquals(1, f.code(), f.toString());
        assertEquals("vecrnn quantize: /dev/full: cannot write: No space left on device", f.errLine());
        assertEquals(FileKind.CHAR_DEVICE, FileKind.of(full));
    }

    @Test
    void aFolderOrSocketIsNoOutput() throws Exception {
        Cli r = Cli.run("forward", "--model", model.toString(), "--input", input.toString(), "--output", dir.resolve("sub").toString());
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.errLine().endsWith("sub: is a folder; an output must be a file, a FIFO, a character device or - (stdout)"), r.toString());
    }

    /** A SIGKILLed writer's temporary file is removed by the next write to the same target; a live writer's is kept. */
    @Test
    void leftoverTemporaryFilesAreRemovedAtTheNextWrite() throws Exception {
        Path out = dir.resolve("out.safetensors");
        Path old = dir.resolve(".out.safetensors.123456789.tmp");
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Path dead = dir.resolve(".out.safetensors.vecrnn-" + gone.pid() + "-42.tmp");
        Path live = dir.resolve(".out.safetensors.vecrnn-" + ProcessHandle.current().pid() + "-43.tmp");
        Path other = dir.resolve(".other.safetensors.77.tmp");
        for (Path p : List.of(old, dead, live, other)) Files.writeString(p, "half a file");
        Cli r = Cli.run("forward", "--model", model.toString(), "--input", input.toString(), "--output", out.toString());
        assertEquals(0, r.code(), r.toString());
        assertFalse(Files.exists(old), "the older form");
        assertFalse(Files.exists(dead), "a dead writer's");
        assertTrue(Files.exists(live), "a live writer's file is its own");
        assertTrue(Files.exists(other), "another target's file is not ours to remove");
    }
}
