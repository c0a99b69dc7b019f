package org.vecrnn.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.vecrnn.VecrnnException;
import org.vecrnn.infer.InferenceModel;
import org.vecrnn.infer.NonFiniteStateException;
import org.vecrnn.infer.StreamState;
import org.vecrnn.io.FileKind;
import org.vecrnn.io.Numbers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "stream", mixinStandardHelpOptions = true,
        description = {"Run a model on a sequence as it arrives on stdin, one step per line.",
                "One x_t per line on stdin (n numbers separated by spaces or commas, each in decimal or scientific "
                        + "notation such as 0.5 or -1.2e-3), one o_t per line on stdout (k numbers separated by spaces), "
                        + "flushed at once. An empty line starts a new sequence (h back to zeros).",
                "A malformed line (wrong count of numbers, not a number, NaN or infinity, longer than --max-line-bytes) "
                        + "gets an error on stderr naming its line number and is skipped; the stream goes on with the "
                        + "next line. A line whose step would make the state or output non-finite (a model with "
                        + "overflowing weights) is reported the same way and leaves the state as it was. When stdout "
                        + "is closed (e.g. piped into head) the command ends at once.",
                "Values are in your units: the input preprocessing that training recorded in the model (mean, std, "
                        + "differences; inspect shows it) is applied, and outputs that predict the next input are "
                        + "mapped back, unless --raw is given."})
final class StreamCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "M", description = "model file (.safetensors)")
    Path model;

    @Option(names = "--raw", description = "Turn off the input preprocessing the model's metadata records (see inspect): inputs and outputs are exactly what the network sees and gives.")
    boolean raw;

    @Option(names = "--max-line-bytes", paramLabel = "B",
            description = "The longest input line taken, in bytes (default: 64 per input number plus 256); a longer line is reported and skipped without being held in memory.")
    Integer maxLineBytes;

    @Spec
    CommandSpec spec;

    /** Room for n numbers of up to 63 characters and a separator each, and some slack (at most {@link #maxLineCap}). */
    static int defaultLineCap(int n) {
        return (int) Math.min(maxLineCap(), 64L * n + 256);
    }

    /**
     * The largest cap this JVM can honour: a line is held up to the cap while it grows (up to twice the cap in
     * bytes) and then as a String, so a quarter of the heap.
     */
    static int maxLineCap() {
        return (int) Math.min(Integer.MAX_VALUE - 16L, Runtime.getRuntime().maxMemory() / 4);
    }

    @Override
    public Integer call() {
        if (maxLineBytes != null && (maxLineBytes < 1 || maxLineBytes > maxLineCap()))
            throw new ParameterException(spec.commandLine(), "--max-line-bytes must be 1 to " + maxLineCap()
                    + " (a quarter of this JVM's heap, which holds the longest line; raise it with -Xmx), not " + maxLineBytes);
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        try (InferenceModel im = InferenceModel.load(model, !raw)) {
            StreamState s;
            try {
                s = im.newStream();
            } catch (IllegalStateException e) {
                throw VecrnnException.inFile(model, e.getMessage());
            }
            return run(im, s, System.in, out, err, maxLineBytes != null ? maxLineBytes : defaultLineCap(im.n()));
        }
    }

    /**
     * The stream loop of {@code s}, a stream of {@code im}, over any input (the command's stdin; tests and the fuzzer call it directly): returns
     * the exit code, 0 at the end of the input, or what a failed stdout gives ({@link CheckedOutput#exitCode}).
     */
    static int run(InferenceModel im, StreamState s, InputStream in, PrintWriter out, PrintWriter err, int lineCap) {
        float[] x = new float[im.n()], o = new float[im.k()];
        StringBuilder line = new StringBuilder();
        BoundedLines lines = new BoundedLines(in, lineCap);
        long lineNo = 0;
        try {
            for (String text; (text = lines.next()) != null; ) {
                lineNo++;
                String problem;
                if (lines.tooLong()) {
                    problem = "the line is " + lines.length() + " bytes, longer than the " + lineCap + " taken (--max-line-bytes)";
                } else if (text.isBlank()) {
                    s.reset();
                    continue;
                } else {
                    problem = parse(text, x);
                }
                if (problem == null) {
                    try {
                        s.step(x, o);
                    } catch (NonFiniteStateException e) {
                        problem = e.getMessage();
                    }
                }
                if (problem != null) {
                    err.println("vecrnn stream: stdin line " + lineNo + ": " + problem);
                    err.flush();
                    continue;
                }
                line.setLength(0);
                for (int i = 0; i < o.length; i++) line.append(i == 0 ? "" : " ").append(o[i]);
                out.println(line);
                out.flush();
                if (CheckedOutput.failed(out)) return CheckedOutput.exitCode("stream", out, err);
            }
        } catch (IOException e) {
            throw new VecrnnException("stdin: cannot read: " + FileKind.reason(e));
        }
        return 0;
    }

    /** Fills x from one line; returns null, or what is wrong with the line. */
    static String parse(String text, float[] x) {
        return Numbers.parseVector(text, x);
    }
}
