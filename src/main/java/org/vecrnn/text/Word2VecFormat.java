package org.vecrnn.text;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.vecrnn.VecrnnException;
import org.vecrnn.io.AtomicFile;
import org.vecrnn.io.FileKind;

/**
 * The two word2vec file formats. Both start with a header line {@code "count dim"}. Text: then one line per
 * word, {@code word v1 ... vdim}. Binary: then per word the UTF-8 word, a space and {@code dim} little-endian
 * float32 values (a newline before the next word is allowed, as the original tool writes one).
 *
 * <p>Files are scanned once through a window ({@link FileWindow}: read, not mapped, so a file that another
 * program truncates meanwhile is a clear error, not a fault); the header is checked against the file size
 * before anything is allocated, so a lying header costs nothing. Errors name the file and the line (text)
 * or byte offset (binary).
 */
public final class Word2VecFormat {
    /** Longer words are taken as a sign of a broken file, not as words. */
    static final int MAX_WORD_BYTES = 4096;
    static final int MAX_DIM = 1 << 16;

    private Word2VecFormat() {}

    /**
     * Reads either format: by the file name (.bin binary; .txt, .vec text), else by looking at the bytes.
     *
     * @param path a word2vec file
     * @return its table, to be closed by the caller
     * @throws org.vecrnn.VecrnnException naming the file and the problem when it is malformed
     */
    public static WordVectors read(Path path) {
        String name = path.getFileName().toString();
        Boolean binary = name.endsWith(".bin") ? Boolean.TRUE : name.endsWith(".txt") || name.endsWith(".vec") ? Boolean.FALSE : null;
        return read(path, binary);
    }

    /**
     * {@return its table, to be closed by the caller}
     *
     * @param path a word2vec text file
     * @throws org.vecrnn.VecrnnException naming the file, the line and the problem when it is malformed
     */
    public static WordVectors readText(Path path) {
        return read(path, false);
    }

    /**
     * {@return its table, to be closed by the caller}
     *
     * @param path a word2vec binary file
     * @throws org.vecrnn.VecrnnException naming the file, the byte offset and the problem when it is malformed
     */
    public static WordVectors readBinary(Path path) {
        return read(path, true);
    }

    private static WordVectors read(Path path, Boolean binaryOrGuess) {
        FileKind.requireReadableFile(path);
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            FileWindow file = new FileWindow(path, ch);
            Scanner s = new Scanner(path, file);
            long count = s.headerNumber("word count");
            long dim = s.headerNumber("dimension");
            s.endOfHeader();
            if (dim < 1 || dim > MAX_DIM) throw s.error("dimension " + dim + " is out of range (1 to " + MAX_DIM + ")");
            boolean binary = binaryOrGuess != null ? binaryOrGuess : looksBinary(file, s.at);
            s.binary = binary;
            long remaining = file.size - s.at;
            // every entry needs at least: binary, one byte of word + space + 4 bytes a value; text, "w" + " v" per value
            long minEntry = binary ? 2 + 4 * dim : 1 + 2 * dim;
            if (count < 0 || count > remaining / minEntry + 1)
                throw s.error("header says " + count + " words of dimension " + dim + ", but the file has room for at most "
                        + (remaining / minEntry) + ": the header lies or the file is truncated");
            return binary ? readBinary(s, (int) count, (int) dim) : readText(s, (int) count, (int) dim);
        } catch (NoSuchFileException e) {
            throw VecrnnException.inFile(path, "no such file");
        } catch (IOException e) {
            throw VecrnnException.inFile(path, "cannot read: " + FileKind.reason(e));
        }
    }

    private static boolean looksBinary(FileWindow file, long from) {
        long end = Math.min(file.size, from + 4096);
        for (long i = from; i < end; i++) {
            byte b = file.get(i);
            if (b == 0 || (b > 0 && b < 32 && b != '\n' && b != '\r' && b != '\t')) return true;
        }
        // text numbers are ASCII; float bits look like random bytes, which soon include a control byte
        return false;
    }

    private static WordVectors readText(Scanner s, int count, int dim) {
        List<String> words = new ArrayList<>(count);
        float[] v = new float[Math.multiplyExact(count, dim)];
        for (int i = 0; i < count; i++) {
            s.startLine();
            if (s.atEnd()) throw s.error("the header says " + count + " words, the file ends after " + i);
            String w = s.token("word");
            for (int j = 0; j < dim; j++) {
                if (s.atLineEnd()) throw s.error("word '" + w + "' has " + j + " numbers, expected " + dim);
                String num = s.token("number");
                try {
                    v[i * dim + j] = Float.parseFloat(num);
                } catch (NumberFormatException e) {
                    throw s.error("'" + num + "' is not a number");
                }
                if (!Float.isFinite(v[i * dim + j])) throw s.error("word '" + w + "' has a non-finite value " + num);
            }
            if (!s.atLineEnd()) throw s.error("word '" + w + "' has more than " + dim + " numbers");
            s.endLine();
            words.add(w);
        }
        s.skipBlank();
        if (!s.atEnd()) throw s.error("more entries than the " + count + " the header announces");
        return table(s, words, v, dim);
    }

    private static WordVectors readBinary(Scanner s, int count, int dim) {
        List<String> words = new ArrayList<>(count);
        float[] v = new float[Math.multiplyExact(count, dim)];
        long bytes = 4L * dim;
        for (int i = 0; i < count; i++) {
            s.skipNewlines();
            if (s.atEnd()) throw s.error("the header says " + count + " words, the file ends after " + i);
            String w = s.wordBeforeSpace();
            if (s.at + bytes > s.file.size)
                throw s.error("truncated: word '" + w + "' needs " + bytes + " bytes of vector, the file has " + (s.file.size - s.at));
            s.file.ensure(s.at, (int) bytes);
            for (int j = 0; j < dim; j++) {
                float f = s.file.getFloat(s.at + 4L * j);
                if (!Float.isFinite(f)) throw s.error("word '" + w + "' has a non-finite value at element " + j);
                v[i * dim + j] = f;
            }
            s.at += bytes;
            words.add(w);
        }
        s.skipNewlines();
        if (!s.atEnd()) throw s.error("more bytes than the " + count + " entries the header announces");
        return table(s, words, v, dim);
    }

    private static WordVectors table(Scanner s, List<String> words, float[] v, int dim) {
        try {
            return WordVectors.of(words, v, dim);
        } catch (IllegalArgumentException e) {
            throw VecrnnException.inFile(s.path, e.getMessage());
        }
    }

    /**
     * Writes the text format, atomically. Values are written so they read back exactly.
     *
     * @param t the table
     * @param path the file to write (replaced only once it is complete)
     */
    public static void writeText(WordVectors t, Path path) {
        StringBuilder sb = new StringBuilder().append(t.size()).append(' ').append(t.dim()).append('\n');
        float[] v = t.toArray();
        for (int i = 0; i < t.size(); i++) {
            sb.append(t.word(i));
            for (int j = 0; j < t.dim(); j++) sb.append(' ').append(v[i * t.dim() + j]);
            sb.append('\n');
        }
        byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
        AtomicFile.write(path, out -> out.write(ByteBuffer.wrap(bytes)));
    }

    /**
     * Writes the binary format, atomically.
     *
     * @param t the table
     * @param path the file to write (replaced only once it is complete)
     */
    public static void writeBinary(WordVectors t, Path path) {
        AtomicFile.write(path, out -> {
            writeAll(out, ByteBuffer.wrap((t.size() + " " + t.dim() + "\n").getBytes(StandardCharsets.UTF_8)));
            float[] row = new float[t.dim()];
            ByteBuffer vec = ByteBuffer.allocate(4 * t.dim()).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < t.size(); i++) {
                writeAll(out, ByteBuffer.wrap((t.word(i) + " ").getBytes(StandardCharsets.UTF_8)));
                t.vector(i, row, 0);
                vec.clear();
                for (float f : row) vec.putFloat(f);
                writeAll(out, vec.flip());
            }
        });
    }

    private static void writeAll(FileChannel out, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) out.write(b);
    }

    /** A cursor over the file's bytes that knows its line number, for error messages. */
    private static final class Scanner {
        final Path path;
        final FileWindow file;
        long at;
        long line = 1;
        /** Binary entries have no lines: errors there give the byte offset alone. */
        boolean binary;

        Scanner(Path path, FileWindow file) {
            this.path = path;
            this.file = file;
        }

        VecrnnException error(String problem) {
            return VecrnnException.inFile(path, (binary ? "byte " + at : "line " + line + " (byte " + at + ")") + ": " + problem);
        }

        boolean atEnd() {
            return at >= file.size;
        }

        byte peek() {
            return file.get(at);
        }

        boolean atLineEnd() {
            skipSpaces();
            return atEnd() || peek() == '\n' || peek() == '\r';
        }

        void skipSpaces() {
            while (!atEnd() && (peek() == ' ' || peek() == '\t')) at++;
        }

        void startLine() {
            skipSpaces();
        }

        void endLine() {
            if (!atEnd() && peek() == '\r') at++;
            if (!atEnd() && peek() == '\n') {
                at++;
                line++;
            }
        }

        void skipBlank() {
            while (!atEnd() && (peek() == ' ' || peek() == '\t' || peek() == '\r' || peek() == '\n')) {
                if (peek() == '\n') line++;
                at++;
            }
        }

        void skipNewlines() {
            while (!atEnd() && (peek() == '\n' || peek() == '\r')) {
                if (peek() == '\n') line++;
                at++;
            }
        }

        long headerNumber(String what) {
            skipSpaces();
            String t = token(what);
            try {
                return Long.parseLong(t);
            } catch (NumberFormatException e) {
                throw error("header " + what + " '" + t + "' is not a whole number");
            }
        }

        void endOfHeader() {
            if (!atLineEnd()) throw error("the header line must be 'count dim'");
            endLine();
        }

        /** Bytes up to white space, as UTF-8. */
        String token(String what) {
            skipSpaces();
            long start = at;
            while (!atEnd()) {
                byte b = peek();
                if (b == ' ' || b == '\t' || b == '\n' || b == '\r') break;
                if (at - start >= MAX_WORD_BYTES) throw error(what + " longer than " + MAX_WORD_BYTES + " bytes");
                at++;
            }
            if (at == start) throw error("expected a " + what);
            return utf8(start, at);
        }

        /** Binary format: the word ends at the first space. */
        String wordBeforeSpace() {
            long start = at;
            while (true) {
                if (atEnd()) throw error("truncated: the file ends inside a word");
                byte b = peek();
                if (b == ' ') break;
                if (b == '\n' || b == '\r' || b == '\t' || b == 0) throw error("a word holds a control character: not a word2vec binary entry");
                if (at - start >= MAX_WORD_BYTES) throw error("no space within " + MAX_WORD_BYTES + " bytes: not a word");
                at++;
            }
            if (at == start) throw error("empty word");
            String w = utf8(start, at);
            at++; // the space
            return w;
        }

        private String utf8(long from, long to) {
            byte[] b = file.bytes(from, to);
            try {
                CharBuffer c = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b));
                return c.toString();
            } catch (CharacterCodingException e) {
                at = from;
                throw error("bytes that are not UTF-8");
            }
        }
    }
}
