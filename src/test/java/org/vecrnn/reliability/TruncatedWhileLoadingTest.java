package org.vecrnn.reliability;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.vecrnn.VecrnnException;
import org.vecrnn.io.ModelFile;
import org.vecrnn.io.QuantizedModelFile;
import org.vecrnn.io.SafeTensors;
import org.vecrnn.io.SafeTensorsWriter;
import org.vecrnn.io.Tensor;
import org.vecrnn.model.ElmanRnn;
import org.vecrnn.model.Output;
import org.vecrnn.model.Parameters;
import org.vecrnn.onnx.OnnxExport;
import org.vecrnn.onnx.OnnxImport;
import org.vecrnn.quant.Int8Scheme;
import org.vecrnn.quant.Quantizer;
import org.vecrnn.text.Word2VecFormat;
import org.vecrnn.text.WordVectors;

/**
 * Another program truncates a file while vecrnn reads it, for every reader of large files: the load either
 * finishes (the truncation came after it) or fails with a VecrnnException naming the file; never an Error (a
 * mapped file faults with InternalError, which a service that catches Exception does not survive) nor any
 * other exception. From the start (every other round, so the first reads meet it) or a random moment within
 * the time one load takes (measured first), the file is cut
 * at a random length and its tail put back, again and again until the load ends, round after round.
 */
class TruncatedWhileLoadingTest {
    static final long SEED = 1919;
    static final int ROUNDS = 16;

    @TempDir
    static Path dir;

    /** A reader, and how to write a valid file of a few tens of MiB for it. */
    record Reader(String name, String file, Consumer<Path> write, Consumer<Path> load) {
        @Override public String toString() { return name; }
    }

    static ElmanRnn bigModel() {
        int n = 512, d = 2048, k = 16;
        SplittableRandom r = new SplittableRandom(SEED);
        Parameters p = Parameters.zeros(n, d, k);
        for (float[] a : new float[][] {p.U(), p.W(), p.V()}) for (int i = 0; i < a.length; i += 97) a[i] = (float) r.nextDouble(-0.1, 0.1);
        return ElmanRnn.of(n, d, k, Output.SOFTMAX, p);
    }

    static WordVectors bigTable(int words, int dim) {
        SplittableRandom r = new SplittableRandom(SEED);
        List<String> ws = new ArrayList<>(words);
        float[] v = new float[words * dim];
        for (int i = 0; i < words; i++) ws.add("w" + i);
        for (int i = 0; i < v.length; i++) v[i] = (float) r.nextDouble(-1, 1);
        return WordVectors.of(ws, v, dim);
    }

    static Stream<Arguments> readers() {
        int floats = 4 << 20;
        return Stream.of(
                new Reader("safetensors", "t.safetensors",
                        p -> SafeTensorsWriter.write(p, List.of(Tensor.of("x", new float[floats], floats)), Map.of()),
                        p -> {
                            try (SafeTensors st = SafeTensors.open(p)) {
                                assertTrue(st.get("x").floats().length == floats);
                            }
                        }),
                new Reader("fp32 model", "m.safetensors", p -> {
                    try (ElmanRnn m = bigModel()) {
                        ModelFile.save(m, p, Map.of());
                    }
                }, p -> ModelFile.load(p).close()),
                new Reader("int8 model", "q.safetensors", p -> {
                    try (ElmanRnn m = bigModel(); var q = Quantizer.quantize(m, Int8Scheme.DEFAULT)) {
                        QuantizedModelFile.save(q, p, Map.of());
                    }
                }, p -> QuantizedModelFile.load(p).close()),
                new Reader("onnx", "m.onnx", p -> {
                    try (ElmanRnn m = bigModel()) {
                        OnnxExport.write(OnnxExport.of(m), p, false);
                    }
                }, OnnxImport::read),
                new Reader("word2vec text", "v.txt", p -> {
                    try (WordVectors t = bigTable(10_000, 50)) {
                        Word2VecFormat.writeText(t, p);
                    }
                }, p -> Word2VecFormat.readText(p).close()),
                new Reader("word2vec binary", "v.bin", p -> {
                    try (WordVectors t = bigTable(100_000, 80)) {
                        Word2VecFormat.writeBinary(t, p);
                    }
                }, p -> Word2VecFormat.readBinary(p).close())
        ).map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("readers")
    void truncatedMidLoadIsAVecrnnException(Reader reader) throws Exception {
        System.out.println("TruncatedWhileLoadingTest " + reader + ": seed " + SEED);
        SplittableRandom r = new SplittableRandom(SEED);
        Path valid = dir.resolve("valid-" + reader.file()), file = dir.resolve(reader.file());
        reader.write().accept(valid);
        long loadNanos = Long.MAX_VALUE; // the quickest of a few loads: the first ones run before the JIT has compiled them
        for (int i = 0; i < 4; i++) {
            long t0 = System.nanoTime();
            reader.load().accept(valid);
            loadNanos = Math.min(loadNanos, System.nanoTime() - t0);
        }
        loadNanos = Math.max(100_000, loadNanos);
        int refused = 0, loaded = 0;
        for (int round = 0; round < ROUNDS; round++) {
            Files.copy(valid, file, StandardCopyOption.REPLACE_EXISTING);
            long cut = r.nextLong(0, Files.size(valid)), delayNanos = round % 2 == 0 ? 0 : r.nextLong(0, loadNanos);
            java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
            // until the load ends: cut the file, then put its tail back, again and again
            Thread truncator = new Thread(() -> {
                long until = System.nanoTime() + delayNanos;
                while (System.nanoTime() < until) Thread.onSpinWait();
                try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE); FileChannel src = FileChannel.open(valid)) {
                    do {
                        ch.truncate(cut);
                        Thread.sleep(0, 200_000);
                        for (long at = cut, size = src.size(); at < size; ) at += ch.transferFrom(src.position(at), at, size - at);
                    } while (!done.get());
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            truncator.start();
            try {
                reader.load().accept(file);
                loaded++;
            } catch (VecrnnException e) {
                assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
                refused++;
            } catch (Throwable t) {
                fail(reader + ", round " + round + " (seed " + SEED + ", cut at " + cut + ", after " + delayNanos + " ns): " + t, t);
            }
            done.set(true);
            truncator.join();
        }
        System.out.println("truncated while loading, " + reader + ": " + loaded + " loaded, " + refused + " refused (one load "
                + loadNanos / 1_000_000 + " ms)");
        assertTrue(refused > 0, "no round truncated the file during the load: the test did not test it");
    }
}
