package org.vecrnn.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.vecrnn.RandomModels;
import org.vecrnn.VecrnnException;
import org.vecrnn.io.ModelFile;
import org.vecrnn.io.QuantizedModelFile;
import org.vecrnn.model.ElmanRnn;
import org.vecrnn.model.Output;
import org.vecrnn.quant.Int8Scheme;
import org.vecrnn.quant.QuantizedRnn;
import org.vecrnn.quant.Quantizer;

/**
 * The input preprocessing a model file records is applied by {@link InferenceModel#load} to streams and to
 * whole sequences, outputs come back in the user's units, {@code load(path, false)} turns it off, and a value
 * vecrnn cannot honour is refused with its key and value. The reference for each case is the raw network
 * (preprocessing off) fed inputs transformed here, by the formulas the metadata states.
 */
class PreprocessingTest {
    static final int N = 2, D = 9, T = 12;
    static final float[] MEAN = {0.5f, -1f}, STD = {2f, 0.25f};

    @TempDir
    Path tmp;

    private Path model(Map<String, String> metadata, int k) {
        Path f = tmp.resolve("m" + metadata.hashCode() + "_" + k + ".safetensors");
        try (ElmanRnn m = RandomModels.model(new SplittableRandom(7), N, D, k, Output.IDENTITY, 1)) {
            ModelFile.save(m, f, metadata);
        }
        return f;
    }

    /** A series in the user's units: far from 0, as a CO2 level is. */
    private static float[] series(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[T * N];
        for (int i = 0; i < N; i++) {
            float v = 300 + 50 * i;
            for (int t = 0; t < T; t++) x[t * N + i] = v += (float) (r.nextDouble() * 4 - 1);
        }
        return x;
    }

    private static float[] stream(InferenceModel im, float[] x) {
        int n = im.n(), k = im.k(), steps = x.length / n;
        StreamState s = im.newStream();
        float[] xt = new float[n], ot = new float[k], o = new float[steps * k];
        for (int t = 0; t < steps; t++) {
            System.arraycopy(x, t * n, xt, 0, n);
            s.step(xt, ot);
            System.arraycopy(ot, 0, o, t * k, k);
        }
        return o;
    }

    private static void assertClose(float[] want, float[] got, double tol, String what) {
        assertEquals(want.length, got.length, what);
        for (int i = 0; i < want.length; i++)
            assertEquals(want[i], got[i], tol * Math.max(1, Math.abs(want[i])), what + " at " + i);
    }

    @Test
    void differencedStandardisedInputsAndOutputsInTheUsersUnits() {
        Path f = model(Map.of("mean", "[0.5, -1.0]", "std", "[2.0, 0.25]", "input", "differences (x_t - x_{t-1}, standardised)"), N);
        float[] x = series(1);
        float[] xNet = new float[x.length];
        for (int t = 1; t < T; t++)
            for (int i = 0; i < N; i++) xNet[t * N + i] = (x[t * N + i] - x[(t - 1) * N + i] - MEAN[i]) / STD[i];
        try (InferenceModel raw = InferenceModel.load(f, false); InferenceModel im = InferenceModel.load(f)) {
            assertTrue(raw.preprocessing().isNone());
            float[] want = stream(raw, xNet);
            for (int j = 0; j < want.length; j++) want[j] = x[j] + want[j] * STD[j % N] + MEAN[j % N];
            assertClose(want, stream(im, x), 1e-6, "stream");
            assertClose(want, im.forward(x, 1, T, null).o(), 1e-5, "forward");
            // the step before the first one of a sequence is forgotten by reset
            StreamState s = im.newStream();
            s.step(new float[] {1000, -1000}, new float[N]);
            s.reset();
            float[] o = new float[N];
            s.step(new float[] {x[0], x[1]}, o);
            assertClose(new float[] {want[0], want[1]}, o, 1e-6, "after reset");
        }
    }

    /** Streams stepped as a group get the same preprocessing as streams stepped alone. */
    @Test
    void groupedStreamsApplyItToo() {
        Path f = model(Map.of("mean", "0.5 -1", "std", "2 0.25", "input", "differences"), N);
        float[] x1 = series(11), x2 = series(12);
        try (InferenceModel im = InferenceModel.load(f)) {
            float[] want1 = stream(im, x1), want2 = stream(im, x2);
            StreamGroup group = im.newGroup(2);
            StreamState[] streams = {im.newStream(), im.newStream()};
            float[][] outs = new float[2][N];
            for (int t = 0; t < T; t++) {
                group.step(streams, new float[][] {{x1[t * N], x1[t * N + 1]}, {x2[t * N], x2[t * N + 1]}}, outs, 2);
                assertClose(new float[] {want1[t * N], want1[t * N + 1]}, outs[0], 1e-6, "stream 1 step " + t);
                assertClose(new float[] {want2[t * N], want2[t * N + 1]}, outs[1], 1e-6, "stream 2 step " + t);
            }
        }
    }

    @Test
    void savedStateCarriesThePreviousInput() {
        Path f = model(Map.of("mean", "0.5 -1", "std", "2 0.25", "input", "differences"), N);
        float[] x = series(2);
        try (InferenceModel im = InferenceModel.load(f)) {
            float[] whole = stream(im, x);
            StreamState a = im.newStream();
            assertEquals(D + N + 1, a.stateSize());
            assertEquals(D + N + 1, im.stateSize());
            float[] o = new float[N];
            for (int t = 0; t < T / 2; t++) a.step(new float[] {x[t * N], x[t * N + 1]}, o);
            float[] state = new float[a.stateSize()];
            a.saveState(state);
            StreamState b = im.newStream();
            b.restoreState(state);
            for (int t = T / 2; t < T; t++) {
                b.step(new float[] {x[t * N], x[t * N + 1]}, o);
                assertClose(new float[] {whole[t * N], whole[t * N + 1]}, o, 1e-6, "step " + t + " after restore");
            }
        }
    }

    @Test
    void standardisedValuesComeBackInTheUsersUnits() {
        Path f = model(Map.of("mean", "[0.5, -1.0]", "std", "[2.0, 0.25]", "input", "values (standardised)"), N);
        float[] x = series(3), xNet = new float[x.length];
        for (int j = 0; j < x.length; j++) xNet[j] = (x[j] - MEAN[j % N]) / STD[j % N];
        try (InferenceModel raw = InferenceModel.load(f, false); InferenceModel im = InferenceModel.load(f)) {
            float[] want = stream(raw, xNet);
            for (int j = 0; j < want.length; j++) want[j] = want[j] * STD[j % N] + MEAN[j % N];
            assertClose(want, stream(im, x), 1e-6, "stream");
            assertClose(want, im.forward(x, 1, T, null).o(), 1e-5, "forward");
        }
    }

    /** digits: pixels 0..16 scaled by 1/16; the outputs (class probabilities) stay as they are. */
    @Test
    void inputScaleIsAppliedAndTheOutputsAreLeftAlone() {
        Path f = model(Map.of("input_scale", "0.0625"), 3);
        float[] x = series(4), xNet = new float[x.length];
        for (int j = 0; j < x.length; j++) xNet[j] = x[j] * 0.0625f;
        try (InferenceModel raw = InferenceModel.load(f, false); InferenceModel im = InferenceModel.load(f)) {
            float[] want = stream(raw, xNet);
            assertClose(want, stream(im, x), 1e-6, "stream");
            assertClose(want, im.forward(x, 1, T, null).o(), 1e-5, "forward");
        }
    }

    /** trends: each window minus its own mean: forward does it, a stream cannot and says so. */
    @Test
    void centredInputsRunAsWholeSequencesAndAStreamRefusesThem() {
        Path f = model(Map.of("input", "centred (each window minus its own mean, divided by std)", "std", "3 3"), 3);
        float[] x = series(5), xNet = new float[x.length];
        for (int i = 0; i < N; i++) {
            double m = 0;
            for (int t = 0; t < T; t++) m += x[t * N + i];
            m /= T;
            for (int t = 0; t < T; t++) xNet[t * N + i] = (float) (x[t * N + i] - m) / 3f;
        }
        try (InferenceModel raw = InferenceModel.load(f, false); InferenceModel im = InferenceModel.load(f)) {
            assertClose(stream(raw, xNet), im.forward(x, 1, T, null).o(), 1e-5, "forward");
            assertEquals(raw.stateSize(), im.stateSize(), "centring keeps no state of its own");
            IllegalStateException e = assertThrows(IllegalStateException.class, im::newStream);
            assertTrue(e.getMessage().contains("input=centred"), e.getMessage());
        }
    }

    /** An int8 model keeps its fp32 model's metadata (quantize copies it) and applies it the same way. */
    @Test
    void int8ModelsApplyItToo() {
        Map<String, String> meta = Map.of("mean", "[0.5, -1.0]", "std", "[2.0, 0.25]", "input", "differences");
        Path q = tmp.resolve("q.safetensors");
        try (ElmanRnn m = RandomModels.model(new SplittableRandom(7), N, D, N, Output.IDENTITY, 1);
             QuantizedRnn qm = Quantizer.quantize(m, Int8Scheme.ROW)) {
            QuantizedModelFile.save(qm, q, meta);
        }
        float[] x = series(6);
        try (InferenceModel raw = InferenceModel.load(q, false); InferenceModel im = InferenceModel.load(q)) {
            assertEquals(im.preprocessing().describe(), InferenceModel.load(model(meta, N)).preprocessing().describe());
            float[] xNet = new float[x.length];
            for (int t = 1; t < T; t++)
                for (int i = 0; i < N; i++) xNet[t * N + i] = (x[t * N + i] - x[(t - 1) * N + i] - MEAN[i]) / STD[i];
            float[] want = stream(raw, xNet);
            for (int j = 0; j < want.length; j++) want[j] = x[j] + want[j] * STD[j % N] + MEAN[j % N];
            assertClose(want, stream(im, x), 1e-6, "int8 stream");
        }
    }

    @Test
    void withoutMetadataNothingChanges() {
        Path f = model(Map.of("task", "user", "topology", "many-to-many"), N);
        float[] x = series(8);
        try (InferenceModel raw = InferenceModel.load(f, false); InferenceModel im = InferenceModel.load(f)) {
            assertTrue(im.preprocessing().isNone());
            assertArrayEquals(stream(raw, x), stream(im, x));
        }
    }

    /** Every value that cannot be honoured stops the load with the key and the value, fp32 and int8 alike. */
    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
            "input|logit|metadata input=logit is not a preprocessing vecrnn knows",
            "mean|1 2 3|metadata mean=1 2 3 holds 3 numbers, the model takes n=2",
            "std|[1.0, 0.0]|metadata std=[1.0, 0.0]: every value must be positive",
            "std|1 x|metadata std=1 x: 'x' is not a finite number",
            "input_scale|abc|metadata input_scale=abc is not a finite, non-zero number",
            "version|2|metadata version=2 is not a model version this vecrnn reads",
    })
    void valuesThatCannotBeHonouredAreRefused(String key, String value, String message) {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(key, value);
        Path f = tmp.resolve("bad.safetensors");
        try (ElmanRnn m = RandomModels.model(new SplittableRandom(7), N, D, N, Output.IDENTITY, 1)) {
            // save writes its own version first; the bad one goes in through a file written by hand
            org.vecrnn.io.SafeTensorsWriter.write(f, java.util.List.of(org.vecrnn.io.Tensor.of("U", m.parameters().U(), D, N),
                    org.vecrnn.io.Tensor.of("W", m.parameters().W(), D, D), org.vecrnn.io.Tensor.of("a", m.parameters().a(), D),
                    org.vecrnn.io.Tensor.of("V", m.parameters().V(), N, D), org.vecrnn.io.Tensor.of("b", m.parameters().b(), N)), meta);
        }
        for (var load : java.util.List.<java.util.function.Consumer<Path>>of(p -> ModelFile.load(p).close(), p -> InferenceModel.load(p).close())) {
            VecrnnException e = assertThrows(VecrnnException.class, () -> load.accept(f));
            assertTrue(e.getMessage().startsWith(f + ": " + message), e.getMessage());
        }
    }

    @Test
    void outputsThatPredictTheNextInputNeedAsManyOutputsAsInputs() {
        Path f = model(Map.of("input", "values"), 3);
        VecrnnException e = assertThrows(VecrnnException.class, () -> InferenceModel.load(f));
        assertTrue(e.getMessage().contains("metadata input=values says the outputs predict the next input, but the model has n=2 inputs and k=3 outputs"), e.getMessage());
    }
}
