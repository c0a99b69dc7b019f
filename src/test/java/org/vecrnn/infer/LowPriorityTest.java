package org.vecrnn.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The warm-up thread's low priority: {@link LowPriority} lowers the thread that calls it to nice 19 and no other,
 * its preparation changes no thread, and load's background warm-up runs at nice 19. Nice values are read from
 * /proc (Linux only; the tests are skipped elsewhere).
 */
class LowPriorityTest {
    @BeforeAll
    static void linux() {
        assumeTrue(System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux"), "nice values are read from /proc on Linux");
    }

    @Test
    void lowersTheCallingThreadAndNoOther() throws Exception {
        int before = ownNice();
        LowPriority.prepare();
        assertEquals(before, ownNice(), "prepare changed the calling thread's nice value");
        AtomicInteger lowered = new AtomicInteger(Integer.MIN_VALUE);
        Thread t = Thread.ofPlatform().start(() -> {
            if (LowPriority.lowerCurrentThread()) {
                try {
                    lowered.set(ownNice());
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        });
        t.join();
        assertEquals(LowPriority.NICE, lowered.get(), "the thread that asked was not lowered to nice 19");
        assertEquals(before, ownNice(), "another thread was lowered too");
    }

    @Test
    void loadsBackgroundWarmUpRunsAtNice19() throws Exception {
        int before = ownNice();
        CountDownLatch inWarmUp = new CountDownLatch(1), release = new CountDownLatch(1);
        TinyKernel twin = new TinyKernel(), vector = new TinyKernel(inWarmUp, release);
        HandOff h = TinyKernel.handOff(twin, vector);
        WarmUp.load(h.layers(), h.activation(), h, System.nanoTime());
        try {
            assertTrue(inWarmUp.await(60, TimeUnit.SECONDS), "the background warm-up did not start");
            // the warmer is held inside its first Vector API step: read its nice value (and any other warmer's)
            List<Integer> nices = warmUpThreadNices();
            assertFalse(nices.isEmpty(), "no vecrnn-warm-up thread in /proc/self/task");
            for (int n : nices) assertEquals(LowPriority.NICE, n, "a vecrnn-warm-up thread at nice " + n + ": " + nices);
            assertEquals(before, ownNice(), "the loading thread's nice value changed");
        } finally {
            release.countDown();
            h.close();
        }
    }

    private static List<Integer> warmUpThreadNices() throws IOException {
        List<Integer> nices = new ArrayList<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                String comm;
                try {
                    comm = Files.readString(task.resolve("comm")).trim();
                } catch (IOException gone) {
                    continue; // the thread ended meanwhile
                }
                if (comm.equals("vecrnn-warm-up")) nices.add(nice(task.resolve("stat")));
            }
        }
        return nices;
    }

    /** The calling thread's nice value. */
    private static int ownNice() throws IOException {
        return nice(Path.of("/proc/thread-self/stat"));
    }

    /** Field 19 of a /proc stat file: the nice value. Field 2, the name, is in parentheses and may hold spaces. */
    static int nice(Path stat) throws IOException {
        String s = Files.readString(stat);
        String[] after = s.substring(s.lastIndexOf(')') + 2).trim().split(" ");
        return Integer.parseInt(after[19 - 3]);
    }
}
