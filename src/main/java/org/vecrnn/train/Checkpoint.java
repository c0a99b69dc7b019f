package org.vecrnn.train;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.vecrnn.VecrnnException;
import org.vecrnn.io.SafeTensors;
import org.vecrnn.io.SafeTensorsWriter;
import org.vecrnn.io.Tensor;
import org.vecrnn.model.Parameters;

/**
 * The training state after a completed epoch, in one safetensors file written atomically (a temporary file
 * renamed over the old one), so a crash at any moment leaves the previous complete checkpoint:
 * θ ({@code U W a V b}), the best θ so far ({@code best.*}), the optimizer state ({@code opt.<state>.*}),
 * and in the metadata the epoch count, optimizer steps, best validation loss, epochs without improvement,
 * and a fingerprint of the settings that a resume must match.
 */
public final class Checkpoint {
    private Checkpoint() {}

    /** What {@link #read} restores beside the buffers it fills. */
    public record State(int epochsDone, long steps, double bestVal, int badEpochs, int bestEpoch) {}

    public static void write(Path path, String fingerprint, State s, Parameters params, Parameters best, Optimizer opt) {
        write(path, fingerprint, s, params, best, opt.stateNames(), opt.state());
    }

    /** The same with the optimizer state given as buffers (a snapshot, see {@link CheckpointWriter}). */
    static void write(Path path, String fingerprint, State s, Parameters params, Parameters best, String[] stateNames, Parameters[] st) {
        List<Tensor> ts = new ArrayList<>();
        add(ts, "", params);
        add(ts, "best.", best);
        for (int i = 0; i < st.length; i++) add(ts, "opt." + stateNames[i] + ".", st[i]);
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "vecrnn-checkpoint");
        meta.put("fingerprint", fingerprint);
        meta.put("epochs_done", Integer.toString(s.epochsDone()));
        meta.put("steps", Long.toString(s.steps()));
        meta.put("best_val", Double.toString(s.bestVal()));
        meta.put("bad_epochs", Integer.toString(s.badEpochs()));
        meta.put("best_epoch", Integer.toString(s.bestEpoch()));
        SafeTensorsWriter.write(path, ts, meta);
    }

    private static void add(List<Tensor> ts, String prefix, Parameters p) {
        int d = p.a().length, k = p.b().length, n = p.U().length / d;
        long[][] shapes = {{d, n}, {d, d}, {d}, {k, d}, {k}};
        float[][] all = p.all();
        for (int i = 0; i < all.length; i++) ts.add(Tensor.of(prefix + Parameters.NAMES[i], all[i].clone(), shapes[i]));
    }

    /** Restores into the given buffers; refuses a checkpoint of other settings or shapes with one line. */
    public static State read(Path path, String fingerprint, Parameters params, Parameters best, Optimizer opt) {
        if (!Files.isRegularFile(path)) throw VecrnnException.inFile(path, "no checkpoint to resume from");
        try (SafeTensors st = SafeTensors.open(path)) {
            Map<String, String> m = st.metadata();
            if (!"vecrnn-checkpoint".equals(m.get("format"))) throw VecrnnException.inFile(path, "is not a vecrnn training checkpoint");
            if (!fingerprint.equals(m.get("fingerprint")))
                throw VecrnnException.inFile(path, "was written with other settings (" + m.get("fingerprint") + "), these are " + fingerprint);
            load(st, "", params);
            load(st, "best.", best);
            Parameters[] s = opt.state();
            for (int i = 0; i < s.length; i++) load(st, "opt." + opt.stateNames()[i] + ".", s[i]);
            State state = new State(Integer.parseInt(m.get("epochs_done")), Long.parseLong(m.get("steps")),
                    Double.parseDouble(m.get("best_val")), Integer.parseInt(m.get("bad_epochs")), Integer.parseInt(m.get("best_epoch")));
            opt.steps(state.steps());
            return state;
        } catch (NumberFormatException | NullPointerException e) {
            throw VecrnnException.inFile(path, "checkpoint metadata is damaged: " + e.getMessage());
        }
    }

    private static void load(SafeTensors st, String prefix, Parameters p) {
        int d = p.a().length, k = p.b().length, n = p.U().length / d;
        long[][] shapes = {{d, n}, {d, d}, {d}, {k, d}, {k}};
        float[][] all = p.all();
        for (int i = 0; i < 5; i++) {
            float[] v = st.floats(prefix + Parameters.NAMES[i], shapes[i]);
            for (float f : v) if (!Float.isFinite(f)) throw VecrnnException.inFile(st.path(), "tensor '" + prefix + Parameters.NAMES[i] + "' is not finite");
            System.arraycopy(v, 0, all[i], 0, v.length);
        }
    }
}
