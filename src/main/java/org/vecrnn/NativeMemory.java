package org.vecrnn;

import java.lang.foreign.Arena;
import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The native memory of one owner (a model, a kernel): a shared arena that {@link #close()} frees at once, and
 * that is freed anyway, with a warning in the log, when the owner is garbage collected without being closed
 * (a {@link Cleaner}), so a program that forgets to close models does not leak their weights for ever.
 * Closing while another thread still runs a step on the memory is refused or makes that step fail with
 * {@link IllegalStateException} (the FFM API's checks), never a native fault.
 *
 * <p><b>Internal, not API:</b> public for vecrnn's own packages, left out of the published javadoc; it may
 * change in any release.
 */
public final class NativeMemory {
    private static final Cleaner CLEANER = Cleaner.create(r -> {
        Thread t = new Thread(r, "vecrnn-native-memory-cleaner");
        t.setDaemon(true);
        return t;
    });
    private static final AtomicLong OPEN = new AtomicLong();

    private final Arena arena = Arena.ofShared();
    private final Release release;
    private final Cleaner.Cleanable cleanable;

    private NativeMemory(Object owner, String what) {
        release = new Release(arena, what);
        cleanable = CLEANER.register(owner, release);
        OPEN.incrementAndGet();
    }

    /**
     * {@return new memory with an empty shared arena}
     *
     * @param owner the object whose collection frees the memory should it never be closed
     * @param what names the owner in the warning logged then
     */
    public static NativeMemory of(Object owner, String what) {
        return new NativeMemory(owner, what);
    }

    /** {@return the arena to allocate in; it is closed by {@link #close()} or the cleaner} */
    public Arena arena() {
        return arena;
    }

    /** {@return whether the memory is still there} */
    public boolean isAlive() {
        return arena.scope().isAlive();
    }

    /**
     * Frees the memory; closing twice is harmless. Throws IllegalStateException, freeing nothing, while a
     * native call still holds the memory (the Cleaner frees it later).
     *
     * @throws IllegalStateException while another thread's native call holds the memory
     */
    public synchronized void close() {
        if (!arena.scope().isAlive()) return;
        arena.close();
        release.closed = true;
        cleanable.clean();
        OPEN.decrementAndGet();
    }

    /** {@return how many owners' memory is neither closed nor cleaned (tests: leaks come back down after a GC)} */
    public static long open() {
        return OPEN.get();
    }

    /** The cleaning action: it must not refer to the owner, or the owner would never become unreachable. */
    private static final class Release implements Runnable {
        private final Arena arena;
        private final String what;
        volatile boolean closed;

        Release(Arena arena, String what) {
            this.arena = arena;
            this.what = what;
        }

        @Override
        public void run() {
            if (closed || !arena.scope().isAlive()) return;
            try {
                arena.close();
            } catch (IllegalStateException e) {
                return; // closed meanwhile, or still held by a native call of a thread that is going away
            }
            OPEN.decrementAndGet();
            System.getLogger(NativeMemory.class.getName()).log(System.Logger.Level.WARNING,
                    "vecrnn: garbage collected without close(): " + what + "; its native memory is freed now."
                            + " Close models and kernels when done with them (try-with-resources).");
        }
    }
}
