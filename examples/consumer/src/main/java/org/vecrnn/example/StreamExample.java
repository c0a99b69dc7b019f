package org.vecrnn.example;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.vecrnn.VecrnnException;
import org.vecrnn.infer.InferenceModel;
import org.vecrnn.infer.NonFiniteStateException;
import org.vecrnn.infer.StreamState;

/**
 * vecrnn as a library: loads a model, then reads one input vector per line from stdin (n numbers separated
 * by spaces) and prints the model's output for that step; an empty line starts a new sequence. A service
 * with many streams steps them in groups (InferenceModel.newGroup, StepCoalescer) and times them with
 * org.vecrnn.metrics.StreamMetrics: see the README.
 */
public final class StreamExample {
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: StreamExample MODEL.safetensors");
            System.exit(2);
        }
        // load once (load also warms the step up), share across threads; close() frees the native weights
        try (InferenceModel model = InferenceModel.load(Path.of(args[0]))) {
            StreamState stream = model.newStream();          // one per sequence, used by one thread at a time
            float[] x = new float[model.n()];
            float[] o = new float[model.k()];
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line; (line = in.readLine()) != null; ) {
                if (line.isBlank()) {
                    stream.reset();                          // h back to zeros: a new sequence
                    continue;
                }
                String[] cells = line.trim().split("\\s+");
                if (cells.length != x.length) {
                    System.err.println("expected " + x.length + " numbers, got " + cells.length);
                    continue;
                }
                for (int i = 0; i < x.length; i++) x[i] = Float.parseFloat(cells[i]);
                try {
                    stream.step(x, o);                       // o_t for x_t; allocates nothing
                } catch (IllegalArgumentException | NonFiniteStateException e) {
                    // NaN or infinity in x, or a step that would make h or o non-finite: refused, h unchanged
                    System.err.println(e.getMessage());
                    continue;
                }
                StringBuilder sb = new StringBuilder();
                for (float v : o) sb.append(sb.isEmpty() ? "" : " ").append(v);
                System.out.println(sb);
            }
        } catch (VecrnnException e) {                        // a missing or malformed model file: one line
            System.err.println(e.getMessage());
            System.exit(1);
        }
    }
}
