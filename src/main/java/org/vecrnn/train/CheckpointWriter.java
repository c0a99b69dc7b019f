package org.vecrnn.train;

import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.vecrnn.model.Nonlinearity;
import org.vecrnn.model.Parameters;

/**
 * Writes the per-epoch checkpoints on one background thread, so the training thread does not wait for the
 * disk: each write forces the file and its folder to disk, which took 2-40 ms per checkpoint on this shared
 * machine (30 checkpoints: more than the 30 epochs of digits themselves). {@link #submit} copies the state
 * (a snapshot, so training may go on changing θ), waits for the previous write, then queues this one; so
 * checkpoints reach the disk in order, each still atomic (see {@link Checkpoint}), at most one behind
 * training. {@link #await} waits for the last one and rethrows its failure; the trainer calls it before it
 * reports its time, so the training time includes every write.
 */
final class CheckpointWriter implements AutoCloseable {
    private final Path path;
    private final String fingerprint;
    private final Nonlinearity f;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "vecrnn-checkpoint");
        t.setDaemon(true);
        return t;
    });
    private Future<?> pending;

    CheckpointWriter(Path path, String fingerprint, Nonlinearity f) {
        this.path = path;
        this.fingerprint = fingerprint;
        this.f = f;
    }

    void submit(Checkpoint.State state, Parameters theta, Parameters best, Optimizer opt) {
        Parameters t = theta.copy(), b = best.copy();
        Parameters[] st = opt.state().clone();
        for (int i = 0; i < st.length; i++) st[i] = st[i].copy();
        String[] names = opt.stateNames();
        await();
        pending = thread.submit(() -> Checkpoint.write(path, fingerprint, f, state, t, b, names, st));
    }

    /** Waits for the last submitted write; its exception (a {@link org.vecrnn.VecrnnException}) comes out as is. */
    void await() {
        Future<?> f = pending;
        pending = null;
        if (f == null) return;
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    f.get();
                    return;
                } catch (InterruptedException e) {
                    interrupted = true; // the write must finish before anyone relies on the file
                }
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw new IllegalStateException(e.getCause());
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        try {
            await();
        } finally {
            thread.shutdown();
        }
    }
}
