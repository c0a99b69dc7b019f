package org.vecrnn.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.vecrnn.VecrnnException;

class Word2VecFormatTest {
    @TempDir
    Path tmp;

    /** Words of 1 to 4 UTF-8 bytes a character. */
    static final List<String> WORDS = List.of("dog", "café", "naïve", "日本語", "𝄞clef", "Straße", "</s>", "a");

    static WordVectors table(long seed, int dim) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[WORDS.size() * dim];
        for (int i = 0; i < v.length; i++) v[i] = (float) (r.nextDouble() * 4 - 2);
        return WordVectors.of(WORDS, v, dim);
    }

    @ParameterizedTest(name = "dim {0}")
    @ValueSource(ints = {1, 3, 17, 300})
    void textAndBinaryOfTheSameVectorsLoadToIdenticalTables(int dim) {
        try (WordVectors t = table(dim, dim)) {
            Path text = tmp.resolve("v.txt"), bin = tmp.resolve("v.bin");
            Word2VecFormat.writeText(t, text);
            Word2VecFormat.writeBinary(t, bin);
            try (WordVectors a = Word2VecFormat.read(text); WordVectors b = Word2VecFormat.read(bin)) {
                assertEquals(WORDS, a.words());
                assertEquals(WORDS, b.words());
                assertEquals(dim, a.dim());
                assertArrayEquals(t.toArray(), a.toArray(), "text reads back exactly");
                assertArrayEquals(t.toArray(), b.toArray(), "binary reads back exactly");
                assertEquals(3, a.indexOf("日本語"));
                assertEquals(-1, a.indexOf("cat"));
            }
        }
    }

    @Test
    void formatIsRecognisedFromTheBytesWhenTheNameSaysNothing() throws IOException {
        try (WordVectors t = table(1, 17)) {
            Path text = tmp.resolve("v.txt"), bin = tmp.resolve("v.bin");
            Word2VecFormat.writeText(t, text);
            Word2VecFormat.writeBinary(t, bin);
            Path a = Files.copy(text, tmp.resolve("vectors-a")), b = Files.copy(bin, tmp.resolve("vectors-b"));
            try (WordVectors x = Word2VecFormat.read(a); WordVectors y = Word2VecFormat.read(b)) {
                assertArrayEquals(x.toArray(), y.toArray());
            }
        }
    }

    @Test
    void binaryWithANewlineAfterEachVectorAsTheOriginalToolWrites() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(100).order(ByteOrder.LITTLE_ENDIAN);
        b.put("2 2\n".getBytes(StandardCharsets.UTF_8));
        b.put("é ".getBytes(StandardCharsets.UTF_8)).putFloat(1).putFloat(2).put((byte) '\n');
        b.put("b ".getBytes(StandardCharsets.UTF_8)).putFloat(3).putFloat(4).put((byte) '\n');
        Path f = Files.write(tmp.resolve("w.bin"), Arrays.copyOf(b.array(), b.position()));
        try (WordVectors t = Word2VecFormat.read(f)) {
            assertEquals(List.of("é", "b"), t.words());
            assertArrayEquals(new float[] {1, 2, 3, 4}, t.toArray());
        }
    }

    @Test
    void embeddingLooksUpTokensAndUsesTheUnknownVector() {
        try (WordVectors t = WordVectors.of(List.of("a", "b"), new float[] {1, 2, 3, 4}, 2)) {
            assertArrayEquals(new float[] {3, 4, 0, 0, 1, 2}, new Embedding(t).embed(List.of("b", "zzz", "a")));
            assertArrayEquals(new float[] {2, 3}, Embedding.withMeanForUnknown(t).embed(List.of("?")));
        }
    }

    @Test
    void truncatedBinary() throws IOException {
        Path bin = tmp.resolve("v.bin");
        try (WordVectors t = table(2, 5)) {
            Word2VecFormat.writeBinary(t, bin);
        }
        byte[] all = Files.readAllBytes(bin);
        Path cut = Files.write(tmp.resolve("cut.bin"), Arrays.copyOf(all, all.length - 7));
        expect(cut, "truncated: word 'a' needs 20 bytes of vector, the file has 13");
    }

    @Test
    void headerLiesAboutTheCount() throws IOException {
        Path f = Files.writeString(tmp.resolve("v.txt"), "3 2\na 1 2\nb 3 4\n");
        expect(f, "line 4 (byte 16): the header says 3 words, the file ends after 2");
        Path more = Files.writeString(tmp.resolve("w.txt"), "1 2\na 1 2\nb 3 4\n");
        expect(more, "line 3 (byte 10): more entries than the 1 the header announces");
        Path huge = Files.writeString(tmp.resolve("h.txt"), "2000000000 300\na 1 2\n");
        expect(huge, "header says 2000000000 words of dimension 300, but the file has room for at most 0");
    }

    @Test
    void headerLiesAboutTheDimension() throws IOException {
        Path f = Files.writeString(tmp.resolve("v.txt"), "2 3\na 1 2\nb 3 4\n");
        expect(f, "line 2 (byte 9): word 'a' has 2 numbers, expected 3");
        Path bin = tmp.resolve("v.bin");
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        b.put("1 4\n".getBytes(StandardCharsets.UTF_8)).put("a ".getBytes(StandardCharsets.UTF_8)).putFloat(1).putFloat(2);
        Files.write(bin, Arrays.copyOf(b.array(), b.position()));
        expect(bin, "byte 6: truncated: word 'a' needs 16 bytes of vector, the file has 8");
    }

    @Test
    void lineWithTooFewOrTooManyNumbersOrNotANumber() throws IOException {
        expect(Files.writeString(tmp.resolve("a.txt"), "2 2\na 1 2\nb 3\n"), "line 3 (byte 13): word 'b' has 1 numbers, expected 2");
        expect(Files.writeString(tmp.resolve("b.txt"), "2 2\na 1 2 5\nb 3 4\n"), "line 2 (byte 10): word 'a' has more than 2 numbers");
        expect(Files.writeString(tmp.resolve("c.txt"), "1 2\na 1 x\n"), "line 2 (byte 9): 'x' is not a number");
        expect(Files.writeString(tmp.resolve("d.txt"), "1 2\na 1 NaN\n"), "non-finite value NaN");
        expect(Files.writeString(tmp.resolve("e.txt"), "two 2\na 1 2\n"), "header word count 'two' is not a whole number");
        expect(Files.writeString(tmp.resolve("f.txt"), "2 1\na 1\na 2\n"), "word 'a' appears twice");
    }

    private static void expect(Path f, String problem) {
        VecrnnException e = assertThrows(VecrnnException.class, () -> Word2VecFormat.read(f).close());
        assertTrue(e.getMessage().startsWith(f + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(problem), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "one line");
    }
}
