package org.vecrnn.train;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.vecrnn.VecrnnException;
import org.vecrnn.io.ModelFile;
import org.vecrnn.io.SafeTensors;
import org.vecrnn.io.SafeTensorsWriter;
import org.vecrnn.io.Tensor;
import org.vecrnn.model.Nonlinearity;
import org.vecrnn.model.Parameters;

/**
 * The training state after a completed epoch, in one safetensors file written atomically (a temporary file
 * renamed over the old one), so a crash at any moment leaves the previous complete checkpoint:
 * θ ({@code U W a V b}, then {@code U2 W2 a2 ...} for every layer above the first), the best θ so far
 * ({@code best.*}), the optimizer state ({@code opt.<state>.*}), and in the metadata the model's layers and
 * nonlinearity, the epoch count, optimizer steps, best validation loss, epochs without improvement, and a
 * fingerprint of the settings that a resume must match.
 */
public final class Checkpoint {
    private Checkpoint() {}

    /** What {@link #read} restores beside the buffers it fills. */
    public record State(int epochsDone, long steps, double bestVal, int badEpochs, int bestEpoch) {}

    public static void write(Path path, String fingerprint, Nonlinearity f, State s, Parameters params, Parameters best, Optimizer opt) {
        write(path, fingerprint, f, s, params, best, opt.stateNames(), opt.state());
    }

    /** The same with the optimizer state given as buffers (a snapshot, see {@link CheckpointWriter}). */
    static void write(Path path, String fingerprint, Nonlinearity f, State s, Parameters params, Parameters best, String[] stateNames,
                      Parameters[] st) {
        List<Tensor> ts = new ArrayList<>();
        add(ts, "", params);
        add(ts, "best.", best);
        for (int i = 0; i < st.length; i++) add(ts, "opt." + stateNames[i] + ".", st[i]);
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "vecrnn-checkpoint");
        meta.put(ModelFile.LAYERS, Integer.toString(params.layers()));
        meta.put(ModelFile.NONLINEARITY, f.id());
        meta.put("fingerprint", fingerprint);
        meta.put("epochs_done", Integer.toString(s.epochsDone()));
        meta.put("steps", Long.toString(s.steps()));
        meta.put("best_val", Double.toString(s.bestVal()));
        meta.put("bad_epochs", Integer.toString(s.badEpochs()));
        meta.put("best_epoch", Integer.toString(s.bestEpoch()));
        SafeTensorsWriter.write(path, ts, meta);
    }

    private static void add(List<Tensor> ts, String prefix, Parameters p) {
        long[][] shapes = shapes(p);
        String[] names = p.names();
        float[][] all = p.all();
        for (int i = 0; i < all.length; i++) ts.add(Tensor.of(prefix + names[i], all[i].clone(), shapes[i]));
    }

    private static long[][] shapes(Parameters p) {
        int d = p.a().length, k = p.b().length, n = p.U().length / d;
        return p.shapes(n, d, k);
    }

    /**
     * Restores into the given buffers (shaped for this run's model of nonlinearity f); refuses a checkpoint of
     * another model or other settings with one line.
     */
    public static State read(Path path, String fingerprint, Nonlinearity f, Parameters params, Parameters best, Optimizer opt) {
        if (!Files.isRegularFile(path)) throw VecrnnException.inFile(path, "no checkpoint to resume from");
        try (SafeTensors st = SafeTensors.open(path)) {
            Map<String, String> m = st.metadata();
            if (!"vecrnn-checkpoint".equals(m.get("format"))) throw VecrnnException.inFile(path, "is not a vecrnn training checkpoint");
            // checkpoints from before stacked models hold one tanh layer and say nothing
            String layers = m.getOrDefault(ModelFile.LAYERS, "1"), nonlinearity = m.getOrDefault(ModelFile.NONLINEARITY, Nonlinearity.TANH.id());
            if (!layers.equals(Integer.toString(params.layers())) || !nonlinearity.equals(f.id()))
                throw VecrnnException.inFile(path, "was written for a model of " + layers + " " + nonlinearity + " layer" + ("1".equals(layers) ? "" : "s")
                        + ", this run trains " + params.layers() + " " + f.id() + " layer" + (params.layers() == 1 ? "" : "s")
                        + ": resume with --layers " + layers + " --nonlinearity " + nonlinearity + ", or start afresh without --resume");
            if (!fingerprint.equals(m.get("fingerprint")))
                throw VecrnnException.inFile(path, "was written with other settings (" + m.get("fingerprint") + "), these are " + fingerprint);
            load(st, "", params);
            load(st, "best.", best);
            Parameters[] s = opt.state();
            for (int i = 0; i < s.length; i++) load(st, "opt." + opt.stateNames()[i] + ".", s[i]);
            State state = new State(Integer.parseInt(m.get("epochs_done")), Long.parseLong(m.get("steps")),
                    Double.parseDouble(m.get("best_val")), Integer.parseInt(m.get("bad_epochs")), Integer.parseInt(m.get("best_epoch")));
            // counters out of range would run a negative count of epochs or mislead the optimizer's bias correction
            if (state.epochsDone() < 0 || state.steps() < 0 || state.badEpochs() < 0 || state.bestEpoch() < -1 || state.bestEpoch() > state.epochsDone())
                throw VecrnnException.inFile(path, "checkpoint metadata is damaged: epochs_done=" + state.epochsDone() + ", steps=" + state.steps()
                        + ", bad_epochs=" + state.badEpochs() + ", best_epoch=" + state.bestEpoch() + " (counts must be 0 or more)");
            opt.steps(state.steps());
            return state;
        } catch (NumberFormatException | NullPointerException e) {
            throw VecrnnException.inFile(path, "checkpoint metadata is damaged: " + e.getMessage());
        }
    }

    private static void load(SafeTensors st, String prefix, Parameters p) {
        long[][] shapes = shapes(p);
        String[] names = p.names();
        float[][] all = p.all();
        for (int i = 0; i < all.length; i++) {
            float[] v = st.floats(prefix + names[i], shapes[i]);
            for (float x : v) if (!Float.isFinite(x)) throw VecrnnException.inFile(st.path(), "tensor '" + prefix + names[i] + "' is not finite");
            System.arraycopy(v, 0, all[i], 0, v.length);
        }
    }
}
