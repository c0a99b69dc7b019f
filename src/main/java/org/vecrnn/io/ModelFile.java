package org.vecrnn.io;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.vecrnn.VecrnnException;
import org.vecrnn.onnx.OnnxImport;
import org.vecrnn.model.ElmanRnn;
import org.vecrnn.model.Nonlinearity;
import org.vecrnn.model.Output;
import org.vecrnn.model.Parameters;

/**
 * Model files. Two namings load:
 * <ul>
 * <li>vecrnn's own: {@code U [d,n], W [d,d], a [d], V [k,d], b [k]} and, for a stacked model, {@code U2, W2,
 *     a2, ..., UL, WL, aL} (layers counted from 1, each U_l [d,d]); metadata {@code format=vecrnn, version,
 *     output, layers, nonlinearity}. vecrnn writes this form for one layer.</li>
 * <li>a PyTorch {@code nn.RNN(n, d, num_layers=L, nonlinearity=f)} + {@code nn.Linear} state dict under any
 *     prefix: {@code *weight_ih_l{l}, *weight_hh_l{l}, *bias_ih_l{l} + *bias_hh_l{l} -> a_l} for l from 0,
 *     and the head's {@code *.weight, *.bias}. vecrnn writes a stacked model this way, under the names
 *     {@code rnn.} and {@code head.} (its a_l as {@code bias_ih}, zeros as {@code bias_hh}), so that PyTorch's
 *     {@code load_state_dict} reads it as it is.</li>
 * </ul>
 * Metadata {@code layers} (1..8), when present, must agree with the tensors; {@code nonlinearity} is tanh
 * when absent. {@link #fromTensors} builds a model from named tensors and metadata alone, so a model that
 * arrives in another container (an ONNX graph) goes through this one loader.
 */
public final class ModelFile {
    /** The metadata {@code format} of every file vecrnn writes. */
    public static final String FORMAT = "vecrnn";
    /** The model file version this vecrnn writes and reads (metadata {@code version}). */
    public static final String VERSION = "1";
    /** Metadata keys of a stacked or ReLU model. */
    public static final String LAYERS = "layers", NONLINEARITY = "nonlinearity";

    private static final Pattern TORCH_LAYER = Pattern.compile("(.*)(weight_ih|weight_hh|bias_ih|bias_hh)_l([0-9]+)(_reverse)?");
    private static final Pattern OWN_LAYER = Pattern.compile("([UWa])([0-9]+)");

    private ModelFile() {}

    /**
     * A loaded model and, for each parameter in {@link Parameters#names(int)} order (U, W, a, V, b, U2, ...),
     * the tensor names it had in the file (a has two in a PyTorch file), so results can be reported under the
     * user's own names.
     *
     * @param model the model, to be closed by the caller
     * @param fileNames for each parameter name, the names of the tensors it came from
     * @param metadata the file's metadata, as it was
     */
    public record Loaded(ElmanRnn model, Map<String, List<String>> fileNames, Map<String, String> metadata) {}

    /**
     * {@return its model, to be closed by the caller}
     *
     * @param path an fp32 model file (safetensors or {@code .onnx})
     * @throws VecrnnException naming the file and the problem
     */
    public static ElmanRnn load(Path path) {
        return read(path).model();
    }

    /**
     * A model file: safetensors, or ONNX when its name ends in .onnx (the one place that tells them apart).
     *
     * @param path an fp32 model file
     * @return its model, the tensor names it came from, and its metadata
     * @throws VecrnnException naming the file and the problem, e.g. an int8 file or metadata vecrnn cannot honour
     */
    public static Loaded read(Path path) {
        if (OnnxImport.isOnnx(path)) {
            OnnxImport.Imported onnx = OnnxImport.read(path);
            return fromTensors(path, onnx.tensors(), onnx.metadata());
        }
        try (SafeTensors st = SafeTensors.openConfined(path)) {
            return read(st);
        }
    }

    static Loaded read(SafeTensors st) {
        if (QuantizedModelFile.isQuantized(st)) throw VecrnnException.inFile(st.path(), QuantizedModelFile.notFp32(st));
        return fromTensors(st.path(), st.tensors(), st.metadata());
    }

    /**
     * The one model loader: a model from named F32 tensors (either naming above; other tensors such as
     * {@code x} or {@code grad.*} are ignored) and string metadata ({@code output}, {@code layers},
     * {@code nonlinearity}). Every shape, value and metadata entry is checked; a problem is a
     * {@link VecrnnException} that starts with {@code source} (the file the tensors came from).
     *
     * @param source the file the tensors came from, for messages
     * @param tensors the tensors by name
     * @param metadata the string metadata, or null for none
     * @return the model, to be closed by the caller, with its tensor names and metadata
     * @throws VecrnnException naming the source and the problem
     */
    public static Loaded fromTensors(Object source, Map<String, Tensor> tensors, Map<String, String> metadata) {
        Map<String, String> meta = metadata == null ? Map.of() : metadata;
        Output g;
        Nonlinearity f;
        try {
            g = Output.parse(meta.get("output"));
        } catch (IllegalArgumentException e) {
            throw VecrnnException.inFile(source, "metadata: " + e.getMessage());
        }
        try {
            f = Nonlinearity.parse(meta.get(NONLINEARITY));
        } catch (IllegalArgumentException e) {
            throw VecrnnException.inFile(source, "metadata \"" + NONLINEARITY + "\" = \"" + meta.get(NONLINEARITY) + "\" is not supported (tanh or relu)");
        }
        Map<String, List<String>> names = tensors.containsKey("W") || tensors.containsKey("U") ? ownNames(source, tensors) : torchNames(source, tensors);
        int layers = (names.size() - 2) / 3;
        String declared = meta.get(LAYERS);
        if (declared != null && !declared.equals(Integer.toString(layers)))
            throw VecrnnException.inFile(source, "metadata \"" + LAYERS + "\" = \"" + declared + "\" does not match the tensors, which hold "
                    + layers + " layer" + (layers == 1 ? "" : "s"));
        Tensor W = f32(source, tensors, names.get("W").get(0));
        if (W.rank() != 2 || W.shape()[0] != W.shape()[1] || W.shape()[0] < 1 || W.shape()[0] > Integer.MAX_VALUE)
            throw VecrnnException.inFile(source, "tensor '" + W.name() + "' (W) has shape " + W.shapeString() + ", expected a square [d, d]");
        int d = (int) W.shape()[0];
        Tensor U = f32(source, tensors, names.get("U").get(0));
        if (U.rank() != 2 || U.shape()[0] != d || U.shape()[1] < 1 || U.shape()[1] > Integer.MAX_VALUE)
            throw VecrnnException.inFile(source, "tensor '" + U.name() + "' (U) has shape " + U.shapeString() + ", expected [" + d + ", n]");
        Tensor V = f32(source, tensors, names.get("V").get(0));
        if (V.rank() != 2 || V.shape()[1] != d || V.shape()[0] < 1 || V.shape()[0] > Integer.MAX_VALUE)
            throw VecrnnException.inFile(source, "tensor '" + V.name() + "' (V) has shape " + V.shapeString() + ", expected [k, " + d + "]");
        int n = (int) U.shape()[1], k = (int) V.shape()[0];
        ModelMetadata.check(source, meta, n, k);
        Parameters.Layer[] upper = new Parameters.Layer[layers - 1];
        for (int l = 2; l <= layers; l++)
            upper[l - 2] = new Parameters.Layer(values(source, tensors, names.get("U" + l).get(0), d, d),
                    values(source, tensors, names.get("W" + l).get(0), d, d), sum(source, tensors, names.get("a" + l), d));
        Parameters p = new Parameters(values(source, tensors, U.name(), d, n), values(source, tensors, W.name(), d, d),
                sum(source, tensors, names.get("a"), d), values(source, tensors, V.name(), k, d), values(source, tensors, names.get("b").get(0), k), upper);
        try {
            return new Loaded(ElmanRnn.of(n, d, k, g, f, p), names, meta);
        } catch (IllegalArgumentException e) {
            throw VecrnnException.inFile(source, e.getMessage());
        }
    }

    /** U, W, a, V, b, then U2, W2, a2, ... as long as U_l is there; a W_l or a_l without its layer is refused. */
    private static Map<String, List<String>> ownNames(Object source, Map<String, Tensor> tensors) {
        Map<String, List<String>> m = new LinkedHashMap<>();
        for (String p : Parameters.NAMES) {
            if (!tensors.containsKey(p)) throw VecrnnException.inFile(source, "model has no tensor '" + p + "' (a vecrnn model holds U, W, a, V and b)");
            m.put(p, List.of(p));
        }
        int layers = 1;
        while (tensors.containsKey("U" + (layers + 1)) && layers < Parameters.MAX_LAYERS) layers++;
        for (String name : tensors.keySet()) {
            Matcher mt = OWN_LAYER.matcher(name);
            if (!mt.matches()) continue;
            int l = parseLayer(mt.group(2));
            if (l < 2 || l > layers)
                throw VecrnnException.inFile(source, "tensor '" + name + "' does not belong to a layer of this model (it holds layers 1.." + layers
                        + (layers == Parameters.MAX_LAYERS ? ", the most vecrnn runs" : "") + ")");
        }
        for (int l = 2; l <= layers; l++)
            for (String p : new String[] {"U", "W", "a"}) {
                if (!tensors.containsKey(p + l)) throw VecrnnException.inFile(source, "model has U" + l + " but no tensor '" + p + l + "'");
                m.put(p + l, List.of(p + l));
            }
        return m;
    }

    private static int parseLayer(String digits) {
        return digits.length() > 3 ? Integer.MAX_VALUE : Integer.parseInt(digits);
    }

    private static Map<String, List<String>> torchNames(Object source, Map<String, Tensor> tensors) {
        // a file may carry more than the model (the oracle's cases hold inputs and gradients too)
        List<String> candidates = tensors.keySet().stream().filter(s -> !s.startsWith("grad.")).toList();
        String ih0 = one(source, candidates, "weight_ih_l0");
        String prefix = ih0.substring(0, ih0.length() - "weight_ih_l0".length());
        int layers = 0;
        List<String> rnn = new ArrayList<>();
        for (String name : candidates) {
            Matcher mt = TORCH_LAYER.matcher(name);
            if (!mt.matches()) continue;
            if (mt.group(4) != null)
                throw VecrnnException.inFile(source, "tensor '" + name + "' belongs to a bidirectional RNN; vecrnn runs forward RNNs only");
            if (!mt.group(1).equals(prefix))
                throw VecrnnException.inFile(source, "tensors '" + ih0 + "' and '" + name + "' belong to two RNNs; a model holds one");
            layers = Math.max(layers, parseLayer(mt.group(3)) == Integer.MAX_VALUE ? Integer.MAX_VALUE : parseLayer(mt.group(3)) + 1);
            rnn.add(name);
        }
        if (layers > Parameters.MAX_LAYERS)
            throw VecrnnException.inFile(source, "the RNN has more than " + Parameters.MAX_LAYERS + " layers; vecrnn runs 1 to " + Parameters.MAX_LAYERS);
        Map<String, List<String>> m = new LinkedHashMap<>();
        for (int l = 0; l < layers; l++) {
            String[] four = new String[4];
            String[] kinds = {"weight_ih", "weight_hh", "bias_ih", "bias_hh"};
            for (int i = 0; i < 4; i++) {
                four[i] = prefix + kinds[i] + "_l" + l;
                if (!tensors.containsKey(four[i]))
                    throw VecrnnException.inFile(source, "the RNN has " + layers + " layers but no tensor '" + four[i] + "'");
            }
            String suffix = l == 0 ? "" : Integer.toString(l + 1);
            m.put("U" + suffix, List.of(four[0]));
            m.put("W" + suffix, List.of(four[1]));
            m.put("a" + suffix, List.of(four[2], four[3]));
        }
        List<String> weights = new ArrayList<>(), biases = new ArrayList<>();
        for (String name : candidates) {
            if (rnn.contains(name)) continue;
            if (name.equals("weight") || name.endsWith(".weight")) weights.add(name);
            if (name.equals("bias") || name.endsWith(".bias")) biases.add(name);
        }
        if (weights.size() != 1 || biases.size() != 1)
            throw VecrnnException.inFile(source, "expected one output layer (*.weight and *.bias) beside the RNN tensors, found weights "
                    + weights + " and biases " + biases);
        // the seed's order: U, W, a, V, b, then the layers above
        Map<String, List<String>> ordered = new LinkedHashMap<>();
        for (String p : new String[] {"U", "W", "a"}) ordered.put(p, m.remove(p));
        ordered.put("V", List.of(weights.get(0)));
        ordered.put("b", List.of(biases.get(0)));
        ordered.putAll(m);
        return ordered;
    }

    private static String one(Object source, List<String> candidates, String suffix) {
        List<String> found = candidates.stream().filter(s -> s.endsWith(suffix)).toList();
        if (found.isEmpty())
            throw VecrnnException.inFile(source, "is not a model: no tensors U, W, a, V, b and no PyTorch RNN tensor '*" + suffix + "'");
        if (found.size() > 1) throw VecrnnException.inFile(source, "several tensors end in '" + suffix + "': " + found);
        return found.get(0);
    }

    private static Tensor f32(Object source, Map<String, Tensor> tensors, String name) {
        Tensor t = tensors.get(name);
        if (t == null) throw VecrnnException.inFile(source, "model has no tensor '" + name + "'");
        if (t.dtype() != DType.F32) throw VecrnnException.inFile(source, "tensor '" + name + "' is " + t.dtype() + ", expected F32");
        return t;
    }

    /** The sum of the named [d] tensors (PyTorch's two biases of a layer make one a_l). */
    private static float[] sum(Object source, Map<String, Tensor> tensors, List<String> names, int d) {
        float[] a = new float[d];
        for (String name : names) {
            float[] part = values(source, tensors, name, d);
            for (int i = 0; i < d; i++) a[i] += part[i];
        }
        return a;
    }

    /** Floats of a tensor of exactly the given shape, refused with its name when not finite. */
    private static float[] values(Object source, Map<String, Tensor> tensors, String name, long... shape) {
        Tensor t = f32(source, tensors, name);
        if (!t.hasShape(shape))
            throw VecrnnException.inFile(source, "tensor '" + name + "' has shape " + t.shapeString() + ", expected " + Arrays.toString(shape));
        float[] v = t.floats();
        for (int i = 0; i < v.length; i++)
            if (!Float.isFinite(v[i]))
                throw VecrnnException.inFile(source, "tensor '" + name + "' holds " + v[i] + " at index " + i + ": weights must be finite");
        return v;
    }

    /**
     * {@return the metadata every model file written by vecrnn carries: format, version, output, layers,
     * nonlinearity}
     *
     * @param model a model
     */
    public static Map<String, String> metadata(ElmanRnn model) {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        meta.put("version", VERSION);
        meta.put("output", model.output().id());
        meta.put(LAYERS, Integer.toString(model.layers()));
        meta.put(NONLINEARITY, model.nonlinearity().id());
        return meta;
    }

    /**
     * Writes {@code model} atomically: one layer with vecrnn's own names (U, W, a, V, b), a stacked model with
     * PyTorch's ({@code rnn.weight_ih_l0}, ..., {@code head.weight}, {@code head.bias}; see the class comment).
     *
     * @param model the model
     * @param path the file to write (replaced only once it is complete)
     * @param extraMetadata more metadata (e.g. the preprocessing), or null; it cannot replace the keys of {@link #metadata}
     */
    public static void save(ElmanRnn model, Path path, Map<String, String> extraMetadata) {
        Parameters p = model.parameters();
        long[][] shapes = p.shapes(model.n(), model.d(), model.k());
        String[] names = p.names();
        float[][] all = p.all();
        List<Tensor> ts = new ArrayList<>();
        if (model.layers() == 1) {
            for (int i = 0; i < all.length; i++) ts.add(Tensor.of(names[i], all[i], shapes[i]));
        } else {
            int d = model.d();
            for (int l = 0; l < model.layers(); l++) {
                int in = l == 0 ? model.n() : d;
                ts.add(Tensor.of("rnn.weight_ih_l" + l, p.U(l), d, in));
                ts.add(Tensor.of("rnn.weight_hh_l" + l, p.W(l), d, d));
                ts.add(Tensor.of("rnn.bias_ih_l" + l, p.a(l), d));
                ts.add(Tensor.of("rnn.bias_hh_l" + l, new float[d], d));
            }
            ts.add(Tensor.of("head.weight", p.V(), model.k(), d));
            ts.add(Tensor.of("head.bias", p.b(), model.k()));
        }
        Map<String, String> meta = metadata(model);
        if (extraMetadata != null) extraMetadata.forEach(meta::putIfAbsent);
        SafeTensorsWriter.write(path, ts, meta);
    }
}
