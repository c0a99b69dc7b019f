package org.vecrnn.io;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.vecrnn.VecrnnException;

/**
 * Writes a file so that readers only ever see the old complete file or the new complete one: the bytes go
 * to a temporary file beside the target, are forced to disk, and the temporary file is renamed over the
 * target. A failure removes the temporary file and leaves the target as it was. The path is resolved first
 * ({@link OutputPath}): a symbolic link's target is replaced (the link stays), a FIFO, a character device
 * or stdout is written in place.
 *
 * <p>Temporary files are named {@code .NAME.vecrnn-PID-RANDOM.tmp}. SIGINT and SIGTERM remove the ones
 * being written (a shutdown hook); after a SIGKILL or a power cut the next write to the same target
 * removes those whose process is gone (and those of the older {@code .NAME.RANDOM.tmp} form).
 *
 * <p><b>Internal, not API:</b> public for vecrnn's own packages, left out of the published javadoc; it may
 * change in any release.
 */
public final class AtomicFile {
    private AtomicFile() {}

    @FunctionalInterface
    public interface Body {
        void write(FileChannel out) throws IOException;
    }

    /** Temporary files being written now: the shutdown hook removes them. */
    private static final Set<Path> WRITING = ConcurrentHashMap.newKeySet();

    private static final class Hook {
        static {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                for (Path p : WRITING) {
                    try {
                        Files.deleteIfExists(p);
                    } catch (IOException ignored) {
                        // exiting: nothing else to do
                    }
                }
            }, "vecrnn-remove-temporary-files"));
        }

        static void install() {}
    }

    public static void write(Path target, Body body) {
        OutputPath.Target t;
        try {
            t = OutputPath.resolve(target);
        } catch (IOException e) {
            throw VecrnnException.inFile(target, "cannot write: " + FileKind.reason(e));
        }
        if (t == null) writeStdout(body);
        else if (t.direct()) writeInPlace(target, t.path(), body);
        else replace(target, t.path(), body);
    }

    /** A FIFO, a character device or stdout: written as it is, no force (they cannot be synced). */
    private static void writeInPlace(Path target, Path path, Body body) {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.WRITE)) {
            body.write(ch);
        } catch (IOException e) {
            throw VecrnnException.inFile(OutputPath.shown(target), "cannot write: " + FileKind.reason(e));
        }
    }

    /**
     * Standard output, through descriptor 1 as inherited: reopening /dev/stdout by name would start at offset 0
     * (overwriting what a {@code >>} or an earlier writer put there), fail on a socket, and with descriptor 1
     * closed write into whatever file the JVM opened there. The channel is not closed: System.out shares it.
     */
    private static void writeStdout(Body body) {
        String refused = stdoutRefusal();
        if (refused != null) throw new VecrnnException("stdout: " + refused);
        System.out.flush();
        try {
            body.write(new FileOutputStream(FileDescriptor.out).getChannel());
        } catch (IOException e) {
            throw new VecrnnException("stdout: cannot write: " + FileKind.reason(e));
        }
    }

    /** Why descriptor 1 must not be written (closed, or open read-only), or null; Linux only, elsewhere null. */
    static String stdoutRefusal() {
        Path info = Path.of("/proc/self/fdinfo/1");
        if (!Files.isDirectory(Path.of("/proc/self/fdinfo"))) return null;
        if (!Files.exists(info)) return "is closed; redirect it to a file or a pipe (or give --output a file name)";
        try {
            for (String line : Files.readAllLines(info)) {
                if (!line.startsWith("flags:")) continue;
                int flags = Integer.parseInt(line.substring(6).trim(), 8);
                if ((flags & 3) == 0) return "is not open for writing (closed when vecrnn started, or opened for reading); redirect it to a file or a pipe (or give --output a file name)";
            }
        } catch (IOException | NumberFormatException e) {
            return null; // cannot tell: the write itself reports a bad descriptor
        }
        return null;
    }

    private static void replace(Path target, Path abs, Body body) {
        Path dir = abs.getParent();
        Path tmp = null;
        Hook.install();
        try {
            if (dir != null && !Files.isDirectory(dir)) throw VecrnnException.inFile(target, "folder " + dir + " does not exist");
            String name = abs.getFileName().toString();
            removeLeftovers(dir, name);
            tmp = Files.createTempFile(dir, "." + name + ".vecrnn-" + ProcessHandle.current().pid() + "-", ".tmp");
            WRITING.add(tmp);
            keepPermissions(abs, tmp);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                body.write(ch);
                ch.force(true);
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
            WRITING.remove(tmp);
            tmp = null;
            syncDirectory(dir);
        } catch (IOException e) {
            throw VecrnnException.inFile(target, "cannot write: " + FileKind.reason(e));
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the original failure is the one to report
                }
                WRITING.remove(tmp);
            }
        }
    }

    /**
     * Removes the temporary files of earlier writes to {@code name} that never finished (killed with
     * SIGKILL, a crash, a power cut): those of processes no longer alive, and the older unnamed form.
     */
    static void removeLeftovers(Path dir, String name) {
        Pattern mine = Pattern.compile("\\." + Pattern.quote(name) + "\\.(?:vecrnn-(\\d+)-)?\\d+\\.tmp");
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "." + globQuote(name) + ".*.tmp")) {
            for (Path p : ds) {
                Matcher m = mine.matcher(p.getFileName().toString());
                if (!m.matches() || !Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) continue;
                if (m.group(1) != null && ProcessHandle.of(Long.parseLong(m.group(1))).map(ProcessHandle::isAlive).orElse(false)) continue;
                Files.deleteIfExists(p);
            }
        } catch (IOException | NumberFormatException ignored) {
            // tidying is a courtesy: the write itself goes on
        }
    }

    private static String globQuote(String s) {
        return s.replaceAll("([\\\\*?\\[\\]{}])", "\\\\$1");
    }

    /** A temporary file is private (0600); the result gets the target's permissions, or rw-r--r-- when new. */
    private static void keepPermissions(Path target, Path tmp) throws IOException {
        if (!tmp.getFileSystem().supportedFileAttributeViews().contains("posix")) return;
        Files.setPosixFilePermissions(tmp, Files.exists(target)
                ? Files.getPosixFilePermissions(target)
                : java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
    }

    /** The rename itself is durable only once the folder is synced (a no-op where the OS refuses). */
    private static void syncDirectory(Path dir) {
        if (dir == null) return;
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // not all file systems allow opening a folder; the data itself is already forced
        }
    }
}
