package org.vecrnn.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.vecrnn.blas.Blas;
import org.vecrnn.kernel.SegmentOps;
import org.vecrnn.train.TrainBench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Minimal bench command of the training branch: only {@code --workload train} (the stream and batch
 * workloads are on the kernel branch, whose BenchCommand should call {@link TrainBench} the same way).
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Time a workload on a random model and print one line.",
                "train: one training step (forward, backward, SGD update) on B sequences of T steps;",
                "prints workload=train n=.. d=.. k=.. weights=fp32 steps_per_s=.. (median of 7 rounds after a warm-up)."})
final class BenchCommand implements Callable<Integer> {
    @Option(names = "--workload", required = true, paramLabel = "W", description = "train (stream and batch: kernel branch)")
    String workload;

    @Option(names = "--n", defaultValue = "128", description = "input size (default ${DEFAULT-VALUE})")
    int n;

    @Option(names = "--d", defaultValue = "256", description = "hidden size (default ${DEFAULT-VALUE})")
    int d;

    @Option(names = "--k", defaultValue = "16", description = "output size (default ${DEFAULT-VALUE})")
    int k;

    @Option(names = "--batch", defaultValue = "64", paramLabel = "B", description = "sequences per batch (default ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--steps", defaultValue = "50", paramLabel = "T", description = "steps per sequence (default ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--threads", defaultValue = "1", paramLabel = "N", description = "OpenBLAS threads (default ${DEFAULT-VALUE})")
    int threads;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (!workload.equals("train"))
            throw new ParameterException(spec.commandLine(), "--workload must be train in this build, not '" + workload + "'");
        check(n >= 1 && n <= 1 << 14, "--n");
        check(d >= 1 && d <= 1 << 14, "--d");
        check(k >= 1 && k <= 1 << 14, "--k");
        check(batch >= 1 && batch <= 1 << 16, "--batch");
        check(steps >= 1 && steps <= 1 << 16, "--steps");
        check(threads >= 1 && threads <= 256, "--threads");
        if ((long) batch * steps * Math.max(n, d) > 1L << 28)
            throw new ParameterException(spec.commandLine(), "--batch * --steps * max(n, d) is too large for a benchmark (over 2^28 floats)");
        Blas.setThreads(threads);
        try (TrainBench b = new TrainBench(Blas.get(), SegmentOps.get(), batch, steps, n, d, k)) {
            double sps = b.stepsPerSecond(7, 0.5);
            PrintWriter out = spec.commandLine().getOut();
            out.println("workload=train n=" + n + " d=" + d + " k=" + k + " weights=fp32 steps_per_s=" + String.format(Locale.ROOT, "%.2f", sps)
                    + (threads > 1 ? " threads=" + threads : ""));
            out.flush();
        }
        return 0;
    }

    private void check(boolean ok, String option) {
        if (!ok) throw new ParameterException(spec.commandLine(), option + " is out of range");
    }
}
