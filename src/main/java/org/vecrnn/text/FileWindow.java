package org.vecrnn.text;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import org.vecrnn.VecrnnException;

/**
 * A file read through a window of {@value #CAPACITY} bytes at absolute positions, for a parser that moves
 * forward and looks back a little. Read, not mapped: a mapped file that another program truncates faults
 * on the next access (the JVM throws an {@link InternalError}, asynchronously, which a service that catches
 * Exception does not survive); here a file that shrinks is a {@link VecrnnException} naming it, and memory
 * stays at one window however large the file is.
 */
final class FileWindow {
    static final int CAPACITY = 1 << 20;
    /** Bytes kept before the position that missed, for a parser that goes back to a token's start. */
    static final int BEHIND = 1 << 13;

    private final Path path;
    private final FileChannel ch;
    /** The file's size when it was opened: every position read is below it. */
    final long size;
    private final ByteBuffer buf;
    /** The window holds the file's bytes [start, start + buf.limit()). */
    private long start;

    FileWindow(Path path, FileChannel ch) throws IOException {
        this.path = path;
        this.ch = ch;
        this.size = ch.size();
        // a small file takes a buffer of its size: one window holds it
        buf = ByteBuffer.allocate((int) Math.max(1, Math.min(CAPACITY, size))).order(ByteOrder.LITTLE_ENDIAN);
        buf.limit(0);
    }

    byte get(long pos) {
        if (pos < start || pos >= start + buf.limit()) fill(pos, 1);
        return buf.get((int) (pos - start));
    }

    float getFloat(long pos) {
        ensure(pos, 4);
        return buf.getFloat((int) (pos - start));
    }

    /** The bytes [from, to), at most CAPACITY - BEHIND of them. */
    byte[] bytes(long from, long to) {
        int len = (int) (to - from);
        ensure(from, len);
        byte[] b = new byte[len];
        buf.get((int) (from - start), b);
        return b;
    }

    /** Makes [pos, pos + len) part of the window; the caller has checked that it lies within the file. */
    void ensure(long pos, int len) {
        if (pos < start || pos + len > start + buf.limit()) fill(pos, len);
    }

    private void fill(long pos, int len) {
        if (len > CAPACITY - BEHIND) throw new IllegalArgumentException(len + " bytes do not fit the window");
        if (pos < 0 || pos + len > size) throw new IndexOutOfBoundsException("bytes [" + pos + ", " + (pos + len) + ") of a file of " + size);
        start = Math.max(0, pos - BEHIND);
        int want = (int) Math.min(buf.capacity(), size - start);
        buf.clear().limit(want);
        try {
            while (buf.hasRemaining())
                if (ch.read(buf, start + buf.position()) < 0)
                    throw VecrnnException.inFile(path, "the file changed while it was read (it was " + size + " bytes, now "
                            + ch.size() + "): read it again once it is complete");
        } catch (IOException e) {
            throw VecrnnException.inFile(path, "cannot read: " + org.vecrnn.io.FileKind.reason(e));
        }
        buf.flip();
    }
}
