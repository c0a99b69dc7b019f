package org.vecrnn.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.vecrnn.VecrnnException;

/**
 * Where an output path really leads, and whether it may be written at all. Every command that writes a
 * file calls {@link #refuseSameFile} for each of its inputs before it reads anything, and writes through
 * {@link AtomicFile}, which resolves the path with {@link #resolve}:
 * <ul>
 * <li>a regular file, or a new one: a temporary file in the same folder, renamed over it;</li>
 * <li>a symbolic link: followed, and its final target replaced the same way (the link stays a link);</li>
 * <li>a FIFO, a character device (e.g. /dev/null), or a pipe named by /dev/fd/N: written in place, since
 *     renaming over them would replace the device or pipe with a regular file;</li>
 * <li>{@code -} or /dev/stdout: written to the inherited descriptor 1 itself, never reopened by name: at its
 *     own offset (so {@code >>} appends), and refused when descriptor 1 is closed or read-only (then the JVM's
 *     own files may sit there: with {@code >&-} a reopened /dev/stdout was the JDK's lib/modules);</li>
 * <li>a folder, a socket or a block device: refused.</li>
 * </ul>
 *
 * <p><b>Internal, not API:</b> public for vecrnn's own packages, left out of the published javadoc; it may
 * change in any release.
 */
public final class OutputPath {
    private OutputPath() {}

    /**
     * The resolved output: {@code path} is replaced by a rename, or written in place when {@code direct}; null
     * for stdout, which is written through descriptor 1.
     */
    record Target(Path path, boolean direct) {}

    /** The paths that stand for this process's standard output. */
    public static boolean isStdout(Path p) {
        String s = p.toString();
        return s.equals("-") || s.equals("/dev/stdout") || s.equals("/dev/fd/1") || s.equals("/proc/self/fd/1");
    }

    /** The name to show for an output in a message: "stdout" for the standard output. */
    public static String shown(Path p) {
        return isStdout(p) ? "stdout" : p.toString();
    }

    /**
     * Refuses an output that is the same file as an input, compared by file identity (device and inode),
     * so hard links, symbolic links and {@code ..} in either path count: writing it would destroy the input.
     * Throws {@link SameFileException} (exit 2 on the command line). Call it before reading the input.
     * Either path may be null (an option not given). Also for two outputs of one command (equal paths count
     * then too, before either exists).
     */
    public static void refuseSameFile(String outputName, Path output, String inputName, Path input) {
        if (output == null || input == null) return;
        boolean same;
        try {
            if (isStdout(output)) {
                // stdout redirected into the input (1<>in, >>in): compared through the descriptor's own link
                Path fd1 = Path.of("/proc/self/fd/1");
                same = Files.exists(fd1) && Files.exists(input) && Files.isSameFile(fd1, input);
            } else {
                same = output.toAbsolutePath().normalize().equals(input.toAbsolutePath().normalize())
                        || Files.exists(output) && Files.exists(input) && Files.isSameFile(output, input);
            }
        } catch (IOException e) {
            return; // cannot be compared: then it cannot be opened either, and that error says why
        }
        if (same && isStdout(output))
            throw new SameFileException(outputName + " " + output + ": stdout is redirected to " + inputName + " " + input
                    + ", so writing it would destroy the input; redirect stdout to another file");
        if (same)
            throw new SameFileException(outputName + " " + output + " is the same file as " + inputName + " " + input
                    + ": writing it would destroy the input; choose another path for " + outputName);
    }

    /** /proc/self/fd/N, /proc/PID/fd/N or /dev/fd/N. */
    private static boolean isDescriptorLink(Path p) {
        Path dir = p.getParent();
        if (dir == null || dir.getFileName() == null || !dir.getFileName().toString().equals("fd")) return false;
        Path up = dir.getParent();
        return up != null && (up.toString().equals("/dev") || up.getParent() != null && up.getParent().toString().equals("/proc"));
    }

    /** The output's real destination (symbolic links followed) and how to write it; see the class comment. */
    static Target resolve(Path output) throws IOException {
        if (isStdout(output)) return null;
        Path p = output.toAbsolutePath();
        for (int hops = 0; Files.isSymbolicLink(p); hops++) {
            if (hops == 40) throw VecrnnException.inFile(output, "too many levels of symbolic links");
            Path to = Files.readSymbolicLink(p);
            // a descriptor's link to a pipe or socket reads "pipe:[N]", not a path: open the link itself
            if (!to.isAbsolute() && isDescriptorLink(p)) return new Target(p, true);
            p = p.resolveSibling(to);
        }
        String kind = FileKind.of(p);
        if (kind == null || kind.equals(FileKind.REGULAR)) return new Target(p, false);
        if (kind.equals(FileKind.FIFO) || kind.equals(FileKind.CHAR_DEVICE)) return new Target(p, true);
        throw VecrnnException.inFile(output, "is " + kind + "; an output must be a file, a FIFO, a character device or - (stdout)");
    }
}
