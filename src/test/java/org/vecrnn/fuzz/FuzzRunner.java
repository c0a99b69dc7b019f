package org.vecrnn.fuzz;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.vecrnn.VecrnnException;

/**
 * Feeds mutated inputs to a parser. Every outcome must be a load or a {@link VecrnnException} whose message
 * names the file; anything else (another exception, an error such as OutOfMemoryError, a case that runs past
 * its time limit) fails the test with the seed and case number that reproduce it.
 *
 * <p>Cases per parser: 10,000 in the normal run; {@code -Dvecrnn.fuzz.cases=N} for a longer one.
 */
final class FuzzRunner {
    static final int CASES = Integer.getInteger("vecrnn.fuzz.cases", 10_000);
    static final long SEED = Long.getLong("vecrnn.fuzz.seed", 20261126L);
    static final long CASE_LIMIT_MS = 5_000;

    record Outcome(int loaded, int refused) {}

    static Outcome run(String parser, byte[] valid, Path dir, String fileName, Consumer<Path> parse) {
        System.out.printf("fuzz %s: %d cases, seed %d%n", parser, CASES, SEED);
        Path file = dir.resolve(fileName);
        ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "fuzz-" + parser);
            t.setDaemon(true); // a hung case must not keep the test JVM alive
            return t;
        });
        int loaded = 0, refused = 0;
        try {
            for (int i = 0; i < CASES; i++) {
                byte[] input = Mutator.mutate(valid, SEED, i);
                write(file, input);
                Future<?> f = worker.submit(() -> parse.accept(file));
                String where = parser + " case " + i + " (seed " + SEED + ", " + input.length + " bytes)";
                try {
                    f.get(CASE_LIMIT_MS, TimeUnit.MILLISECONDS);
                    loaded++;
                } catch (TimeoutException e) {
                    f.cancel(true);
                    fail(where + ": no answer within " + CASE_LIMIT_MS + " ms");
                } catch (ExecutionException e) {
                    Throwable c = e.getCause();
                    if (!(c instanceof VecrnnException)) fail(where + ": " + c, c);
                    String m = c.getMessage();
                    if (m == null || !m.contains(file.toString()) || m.contains("\n")) fail(where + ": unclear message: " + m);
                    refused++;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    fail(where + ": interrupted");
                }
            }
        } finally {
            worker.shutdownNow();
        }
        System.out.printf("fuzz %s: %d loaded, %d refused%n", parser, loaded, refused);
        return new Outcome(loaded, refused);
    }

    private static void write(Path file, byte[] input) {
        try {
            Files.write(file, input);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
