package org.vecrnn.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Lines of a byte stream, each at most {@code maxBytes} long: a longer line is reported as too long and
 * skipped up to its newline without being held, so one huge line (or a stream with no newline at all)
 * costs no more memory than the cap. Lines end at {@code \n}; a {@code \r} before it is dropped; bytes are
 * UTF-8 (malformed ones become U+FFFD, which no number parser accepts).
 */
public final class BoundedLines {
    private final InputStream in;
    private final int maxBytes;
    private final byte[] buf = new byte[1 << 16];
    private int pos, end;
    private byte[] line;
    private int len;
    private boolean tooLong;
    private long length;

    public BoundedLines(InputStream in, int maxBytes) {
        if (maxBytes < 1) throw new IllegalArgumentException("the line cap must be at least 1 byte: " + maxBytes);
        this.in = in;
        this.maxBytes = maxBytes;
        this.line = new byte[Math.min(maxBytes, 1 << 12)];
    }

    /**
     * The next line without its line end, or null at the end of the input. After a line over the cap it
     * returns "" and {@link #tooLong()} is true; {@link #length()} then says how long it was.
     */
    public String next() throws IOException {
        len = 0;
        length = 0;
        tooLong = false;
        boolean any = false;
        while (true) {
            if (pos == end) {
                int r = in.read(buf, 0, buf.length);
                if (r < 0) {
                    if (!any) return null;
                    break;
                }
                pos = 0;
                end = r;
                continue;
            }
            any = true;
            int nl = -1;
            for (int i = pos; i < end; i++)
                if (buf[i] == '\n') {
                    nl = i;
                    break;
                }
            int stop = nl < 0 ? end : nl;
            take(pos, stop - pos);
            pos = nl < 0 ? end : nl + 1;
            if (nl >= 0) break;
        }
        int l = len > 0 && line[len - 1] == '\r' ? len - 1 : len;
        if (l > maxBytes) tooLong = true;
        if (tooLong) return "";
        return new String(line, 0, l, StandardCharsets.UTF_8);
    }

    private void take(int from, int count) {
        length += count;
        if (tooLong) return;
        if ((long) len + count > maxBytes + 1L) { // + 1: room for a \r before the \n
            tooLong = true;
            len = 0;
            return;
        }
        if (len + count > line.length) line = java.util.Arrays.copyOf(line, (int) Math.min(maxBytes + 1L, Math.max(2L * line.length, len + count)));
        System.arraycopy(buf, from, line, len, count);
        len += count;
    }

    /** Whether the line {@link #next()} returned last was over the cap (and so skipped). */
    public boolean tooLong() {
        return tooLong;
    }

    /** The byte length of the line {@link #next()} returned last, line end excluded (counted, not held, when too long). */
    public long length() {
        return length;
    }

    public int maxBytes() {
        return maxBytes;
    }
}
