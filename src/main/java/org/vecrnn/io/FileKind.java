package org.vecrnn.io;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import org.vecrnn.VecrnnException;

/**
 * What a path names (a regular file, a folder, a FIFO, a device, a socket), so that an input that is not a
 * file is refused at once with a message that says what it is, instead of hanging on a FIFO or reading a
 * device for ever, and so that an output knows whether it can be replaced by a rename.
 *
 * <p><b>Internal, not API:</b> public for vecrnn's own packages, left out of the published javadoc; it may
 * change in any release.
 */
public final class FileKind {
    private FileKind() {}

    public static final String REGULAR = "a regular file", FOLDER = "a folder", FIFO = "a FIFO (named pipe)",
            CHAR_DEVICE = "a character device", BLOCK_DEVICE = "a block device", SOCKET = "a socket", OTHER = "not a regular file";

    /** One of the constants above for what {@code p} names (links followed), or null when nothing is there. */
    public static String of(Path p) throws IOException {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(p, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            return null;
        }
        if (a.isRegularFile()) return REGULAR;
        if (a.isDirectory()) return FOLDER;
        try {
            int type = ((Integer) Files.getAttribute(p, "unix:mode")) & 0170000;
            return switch (type) {
                case 0010000 -> FIFO;
                case 0020000 -> CHAR_DEVICE;
                case 0060000 -> BLOCK_DEVICE;
                case 0140000 -> SOCKET;
                default -> OTHER;
            };
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            return OTHER;
        }
    }

    /**
     * An input file: it must exist, be a regular file (links followed) and be readable; otherwise a
     * {@link VecrnnException} naming the file and what it is, before anything opens it.
     */
    public static void requireReadableFile(Path p) {
        String kind;
        try {
            kind = of(p);
        } catch (IOException e) {
            throw VecrnnException.inFile(p, reason(e));
        }
        if (kind == null) throw VecrnnException.inFile(p, "no such file");
        if (kind != REGULAR) throw VecrnnException.inFile(p, "is " + kind + ", not a file; give the path of a file");
        if (!Files.isReadable(p)) throw VecrnnException.inFile(p, "permission denied: vecrnn may not read it");
    }

    /** An I/O failure as a short reason: "permission denied", "no such file", or the system's own words. */
    public static String reason(IOException e) {
        if (e instanceof AccessDeniedException) return "permission denied";
        if (e instanceof NoSuchFileException) return "no such file";
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }
}
