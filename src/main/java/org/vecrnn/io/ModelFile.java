package org.vecrnn.io;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.vecrnn.VecrnnException;
import org.vecrnn.model.ElmanRnn;
import org.vecrnn.model.Output;
import org.vecrnn.model.Parameters;

/**
 * Model files: safetensors with the seed's names ({@code U [d,n], W [d,d], a [d], V [k,d], b [k]}) and
 * metadata {@code format=vecrnn, version, output}; or a PyTorch {@code nn.RNN} + {@code nn.Linear} state dict
 * under any prefix ({@code *weight_ih_l0, *weight_hh_l0, *bias_ih_l0 + *bias_hh_l0 -> a, *.weight, *.bias}).
 */
public final class ModelFile {
    public static final String FORMAT = "vecrnn";
    public static final String VERSION = "1";

    private ModelFile() {}

    /**
     * A loaded model and, for each seed parameter (U, W, a, V, b), the tensor names it had in the file
     * (a has two in a PyTorch file), so results can be reported under the user's own names.
     */
    public record Loaded(ElmanRnn model, Map<String, List<String>> fileNames, Map<String, String> metadata) {}

    public static ElmanRnn load(Path path) {
        return read(path).model();
    }

    public static Loaded read(Path path) {
        try (SafeTensors st = SafeTensors.openConfined(path)) {
            return read(st);
        }
    }

    static Loaded read(SafeTensors st) {
        Path path = st.path();
        if (QuantizedModelFile.isQuantized(st)) throw VecrnnException.inFile(path, QuantizedModelFile.notFp32(st));
        Map<String, List<String>> names = st.has("W") || st.has("U") ? ownNames(st) : torchNames(st);
        Output g;
        try {
            g = Output.parse(st.metadata().get("output"));
        } catch (IllegalArgumentException e) {
            throw VecrnnException.inFile(path, "metadata: " + e.getMessage());
        }
        Tensor W = f32(st, names.get("W").get(0));
        if (W.rank() != 2 || W.shape()[0] != W.shape()[1] || W.shape()[0] < 1)
            throw VecrnnException.inFile(path, "tensor '" + W.name() + "' (W) has shape " + W.shapeString() + ", expected a square [d, d]");
        int d = (int) Math.min(W.shape()[0], Integer.MAX_VALUE);
        Tensor U = f32(st, names.get("U").get(0));
        if (U.rank() != 2 || U.shape()[0] != d || U.shape()[1] < 1)
            throw VecrnnException.inFile(path, "tensor '" + U.name() + "' (U) has shape " + U.shapeString() + ", expected [" + d + ", n]");
        Tensor V = f32(st, names.get("V").get(0));
        if (V.rank() != 2 || V.shape()[1] != d || V.shape()[0] < 1)
            throw VecrnnException.inFile(path, "tensor '" + V.name() + "' (V) has shape " + V.shapeString() + ", expected [k, " + d + "]");
        int n = Math.toIntExact(U.shape()[1]), k = Math.toIntExact(V.shape()[0]);
        ModelMetadata.check(path, st.metadata(), n, k);
        float[] a = new float[d];
        for (String name : names.get("a")) {
            float[] part = values(st, name, d);
            for (int i = 0; i < d; i++) a[i] += part[i];
        }
        float[] b = values(st, names.get("b").get(0), k);
        Parameters p = new Parameters(values(st, U.name(), (long) d * n, d, n), values(st, W.name(), (long) d * d, d, d),
                a, values(st, V.name(), (long) k * d, k, d), b);
        try {
            return new Loaded(ElmanRnn.of(n, d, k, g, p), names, st.metadata());
        } catch (IllegalArgumentException e) {
            throw VecrnnException.inFile(path, e.getMessage());
        }
    }

    private static Map<String, List<String>> ownNames(SafeTensors st) {
        Map<String, List<String>> m = new LinkedHashMap<>();
        for (String p : Parameters.NAMES) {
            if (!st.has(p)) throw VecrnnException.inFile(st.path(), "model has no tensor '" + p + "' (a vecrnn model holds U, W, a, V and b)");
            m.put(p, List.of(p));
        }
        return m;
    }

    private static Map<String, List<String>> torchNames(SafeTensors st) {
        // a file may carry more than the model (the oracle's cases hold inputs and gradients too)
        List<String> candidates = st.tensors().keySet().stream().filter(s -> !s.startsWith("grad.")).toList();
        String ih = one(st, "weight_ih_l0"), hh = one(st, "weight_hh_l0");
        String bih = one(st, "bias_ih_l0"), bhh = one(st, "bias_hh_l0");
        for (String name : candidates)
            if (name.matches(".*_l[1-9][0-9]*(_reverse)?$") || name.endsWith("_reverse"))
                throw VecrnnException.inFile(st.path(), "tensor '" + name + "' belongs to a multi-layer or bidirectional RNN; vecrnn runs one Elman layer");
        List<String> weights = new ArrayList<>(), biases = new ArrayList<>();
        for (String name : candidates) {
            if (name.equals(ih) || name.equals(hh) || name.equals(bih) || name.equals(bhh)) continue;
            if (name.equals("weight") || name.endsWith(".weight")) weights.add(name);
            if (name.equals("bias") || name.endsWith(".bias")) biases.add(name);
        }
        if (weights.size() != 1 || biases.size() != 1)
            throw VecrnnException.inFile(st.path(), "expected one output layer (*.weight and *.bias) beside the RNN tensors, found weights "
                    + weights + " and biases " + biases);
        Map<String, List<String>> m = new LinkedHashMap<>();
        m.put("U", List.of(ih));
        m.put("W", List.of(hh));
        m.put("a", List.of(bih, bhh));
        m.put("V", List.of(weights.get(0)));
        m.put("b", List.of(biases.get(0)));
        return m;
    }

    private static String one(SafeTensors st, String suffix) {
        List<String> found = st.tensors().keySet().stream().filter(s -> s.endsWith(suffix) && !s.startsWith("grad.")).toList();
        if (found.isEmpty())
            throw VecrnnException.inFile(st.path(), "is not a model: no tensors U, W, a, V, b and no PyTorch RNN tensor '*" + suffix + "'");
        if (found.size() > 1) throw VecrnnException.inFile(st.path(), "several tensors end in '" + suffix + "': " + found);
        return found.get(0);
    }

    private static Tensor f32(SafeTensors st, String name) {
        Tensor t = st.get(name);
        if (t.dtype() != DType.F32) throw VecrnnException.inFile(st.path(), "tensor '" + name + "' is " + t.dtype() + ", expected F32");
        return t;
    }

    /** Floats of a tensor of the given element count and shape, refused with its name when not finite. */
    private static float[] values(SafeTensors st, String name, long count, long... shape) {
        Tensor t = f32(st, name);
        long[] want = shape.length == 0 ? new long[] {count} : shape;
        if (!t.hasShape(want))
            throw VecrnnException.inFile(st.path(), "tensor '" + name + "' has shape " + t.shapeString() + ", expected " + Arrays.toString(want));
        float[] v = t.floats();
        for (int i = 0; i < v.length; i++)
            if (!Float.isFinite(v[i]))
                throw VecrnnException.inFile(st.path(), "tensor '" + name + "' holds " + v[i] + " at index " + i + ": weights must be finite");
        return v;
    }

    /** Writes {@code model} with the seed's names, atomically. */
    public static void save(ElmanRnn model, Path path, Map<String, String> extraMetadata) {
        Parameters p = model.parameters();
        int n = model.n(), d = model.d(), k = model.k();
        List<Tensor> ts = List.of(Tensor.of("U", p.U(), d, n), Tensor.of("W", p.W(), d, d), Tensor.of("a", p.a(), d),
                Tensor.of("V", p.V(), k, d), Tensor.of("b", p.b(), k));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        meta.put("version", VERSION);
        meta.put("output", model.output().id());
        if (extraMetadata != null) extraMetadata.forEach(meta::putIfAbsent);
        SafeTensorsWriter.write(path, ts, meta);
    }
}
