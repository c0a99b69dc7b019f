package org.vecrnn.kafka;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.vecrnn.RandomModels;
import org.vecrnn.infer.InferenceModel;
import org.vecrnn.infer.StreamState;
import org.vecrnn.io.ModelFile;
import org.vecrnn.io.QuantizedModelFile;
import org.vecrnn.model.ElmanRnn;
import org.vecrnn.model.Output;
import org.vecrnn.quant.Int8Scheme;
import org.vecrnn.quant.Quantizer;

/** Model files and replays for the Kafka tests: what one key's outputs must be, stepped in order from h = 0. */
final class KafkaModels {
    private KafkaModels() {}

    /** A random model file (int8 when asked). */
    static Path write(Path dir, String name, int n, int d, int k, long seed, boolean int8) {
        return write(dir, name, n, d, k, seed, int8, 1.5);
    }

    /** The same with weights ~ U(-s, s), s = scale/sqrt(d). */
    static Path write(Path dir, String name, int n, int d, int k, long seed, boolean int8, double scale) {
        Path p = dir.resolve(name);
        try (ElmanRnn m = RandomModels.model(n, d, k, Output.IDENTITY, scale, seed)) {
            if (int8) QuantizedModelFile.save(Quantizer.quantize(m, Int8Scheme.DEFAULT), p, Map.of());
            else ModelFile.save(m, p, Map.of());
        }
        return p;
    }

    /** The outputs of stepping the inputs in order from a fresh state. */
    static List<float[]> replay(InferenceModel model, List<float[]> inputs) {
        StreamState s = model.newStream();
        List<float[]> out = new ArrayList<>();
        for (float[] x : inputs) {
            float[] o = new float[model.k()];
            s.step(x, o);
            out.add(o);
        }
        return out;
    }

    static float[] input(SplittableRandom r, int n) {
        return RandomModels.uniform(r, n, 2);
    }
}
