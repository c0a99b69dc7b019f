package org.vecrnn.text;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A table of word vectors (word2vec's output): {@code size} distinct words, each with a vector of {@code dim}
 * floats. The vectors live off-heap (a table of millions of words does not fit comfortably in the Java heap);
 * the table is immutable and safe to share; {@link #close()} frees it.
 */
public final class WordVectors implements AutoCloseable {
    private final List<String> words;
    private final Map<String, Integer> index;
    private final int dim;
    private final Arena arena;
    private final MemorySegment vectors;

    WordVectors(List<String> words, Map<String, Integer> index, int dim, Arena arena, MemorySegment vectors) {
        this.words = Collections.unmodifiableList(words);
        this.index = index;
        this.dim = dim;
        this.arena = arena;
        this.vectors = vectors;
    }

    /**
     * A table from words and their vectors, copied into native memory.
     *
     * @param words distinct words, non-empty and without white space
     * @param vectors [size, dim]: row i belongs to word i
     * @param dim the size of each vector
     * @return an open table, to be closed by the caller
     * @throws IllegalArgumentException when a word is repeated or malformed or the sizes disagree
     */
    public static WordVectors of(List<String> words, float[] vectors, int dim) {
        if (dim < 1) throw new IllegalArgumentException("dimension must be at least 1, got " + dim);
        if ((long) words.size() * dim != vectors.length)
            throw new IllegalArgumentException(words.size() + " words of dimension " + dim + " need " + (long) words.size() * dim
                    + " values, got " + vectors.length);
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            checkWord(w, i);
            Integer before = index.putIfAbsent(w, i);
            if (before != null) throw new IllegalArgumentException("word '" + w + "' appears twice (entries " + before + " and " + i + ")");
        }
        Arena arena = Arena.ofShared();
        MemorySegment seg = arena.allocate((long) Math.max(1, vectors.length) * Float.BYTES, 64);
        MemorySegment.copy(vectors, 0, seg, ValueLayout.JAVA_FLOAT, 0, vectors.length);
        return new WordVectors(new java.util.ArrayList<>(words), index, dim, arena, seg);
    }

    /** Words are what word2vec writes: non-empty, no white space. */
    static void checkWord(String w, int i) {
        if (w.isEmpty()) throw new IllegalArgumentException("word " + i + " is empty");
        for (int c = 0; c < w.length(); c++)
            if (Character.isWhitespace(w.charAt(c)))
                throw new IllegalArgumentException("word " + i + " ('" + w + "') contains white space");
    }

    /** {@return the number of words} */
    public int size() {
        return words.size();
    }

    /** {@return the size of each vector} */
    public int dim() {
        return dim;
    }

    /** {@return the words in index order: the table's own list, not to be changed} */
    public List<String> words() {
        return words;
    }

    /**
     * {@return the word at that index}
     *
     * @param i an index, 0 to size - 1
     */
    public String word(int i) {
        return words.get(i);
    }

    /**
     * {@return its index, or -1 when it is not in the table}
     *
     * @param word a word
     */
    public int indexOf(String word) {
        Integer i = index.get(word);
        return i == null ? -1 : i;
    }

    /**
     * Copies the vector of word i into {@code out}.
     *
     * @param i the word's index
     * @param out where to write dim values
     * @param off the first index written
     * @throws IndexOutOfBoundsException when there is no word i
     */
    public void vector(int i, float[] out, int off) {
        if (i < 0 || i >= words.size()) throw new IndexOutOfBoundsException("word index " + i + " of " + words.size());
        MemorySegment.copy(live(), ValueLayout.JAVA_FLOAT, (long) i * dim * Float.BYTES, out, off, dim);
    }

    /**
     * {@return a copy of its vector}
     *
     * @param i the word's index
     * @throws IndexOutOfBoundsException when there is no word i
     */
    public float[] vector(int i) {
        float[] v = new float[dim];
        vector(i, v, 0);
        return v;
    }

    /** {@return all vectors as one heap array [size, dim] (for tests and small tables)} */
    public float[] toArray() {
        return live().toArray(ValueLayout.JAVA_FLOAT);
    }

    private MemorySegment live() {
        if (!arena.scope().isAlive()) throw new IllegalStateException("these word vectors have been closed");
        return vectors.asSlice(0, (long) words.size() * dim * Float.BYTES);
    }

    @Override
    public synchronized void close() {
        if (arena.scope().isAlive()) arena.close();
    }
}
