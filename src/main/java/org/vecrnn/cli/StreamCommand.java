package org.vecrnn.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.vecrnn.VecrnnException;
import org.vecrnn.infer.InferenceModel;
import org.vecrnn.infer.NonFiniteStateException;
import org.vecrnn.infer.StreamState;
import org.vecrnn.io.ModelFile;
import org.vecrnn.model.ElmanRnn;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "stream", mixinStandardHelpOptions = true,
        description = {"Run a model on a sequence as it arrives on stdin, one step per line.",
                "One x_t per line on stdin (n numbers separated by spaces or commas), one o_t per line on stdout "
                        + "(k numbers separated by spaces), flushed at once. An empty line starts a new sequence "
                        + "(h back to zeros).",
                "A malformed line (wrong count of numbers, not a number, NaN or infinity) gets an error on stderr "
                        + "naming its line number and is skipped; the stream goes on with the next line. A line whose "
                        + "step would make the state or output non-finite (a model with overflowing weights) is "
                        + "reported the same way and leaves the state as it was.",
                "Values are in your units: the input preprocessing that training recorded in the model (mean, std, "
                        + "differences; inspect shows it) is applied, and outputs that predict the next input are "
                        + "mapped back, unless --raw is given."})
final class StreamCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "M", description = "model file (.safetensors)")
    Path model;

    @Option(names = "--raw", description = "Turn off the input preprocessing the model's metadata records (see inspect): inputs and outputs are exactly what the network sees and gives.")
    boolean raw;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        try (InferenceModel im = InferenceModel.load(model, !raw)) {
            StreamState s;
            try {
                s = im.newStream();
            } catch (IllegalStateException e) {
                throw VecrnnException.inFile(model, e.getMessage());
            }
            float[] x = new float[im.n()], o = new float[im.k()];
            StringBuilder line = new StringBuilder();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            long lineNo = 0;
            for (String text; (text = in.readLine()) != null; ) {
                lineNo++;
                if (text.isBlank()) {
                    s.reset();
                    continue;
                }
                String problem = parse(text, x);
                if (problem != null) {
                    err.println("vecrnn stream: stdin line " + lineNo + ": " + problem);
                    err.flush();
                    continue;
                }
                try {
                    s.step(x, o);
                } catch (NonFiniteStateException e) {
                    err.println("vecrnn stream: stdin line " + lineNo + ": " + e.getMessage());
                    err.flush();
                    continue;
                }
                line.setLength(0);
                for (int i = 0; i < o.length; i++) line.append(i == 0 ? "" : " ").append(o[i]);
                out.println(line);
                out.flush();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading stdin", e);
        }
        return 0;
    }

    /** Fills x from one line; returns null, or what is wrong with the line. */
    static String parse(String text, float[] x) {
        String[] parts = text.trim().split("[\\s,]+");
        if (parts.length != x.length)
            return "expected " + x.length + " numbers, found " + parts.length;
        for (int i = 0; i < parts.length; i++) {
            float v;
            try {
                v = Float.parseFloat(parts[i]);
            } catch (NumberFormatException e) {
                return "value " + (i + 1) + " is not a number: '" + shorten(parts[i]) + "'";
            }
            if (!Float.isFinite(v)) return "value " + (i + 1) + " is not finite: '" + shorten(parts[i]) + "'";
            x[i] = v;
        }
        return null;
    }

    private static String shorten(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
