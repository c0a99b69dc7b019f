package org.vecrnn.io;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.vecrnn.VecrnnException;
import org.vecrnn.onnx.OnnxImport;
import org.vecrnn.model.Nonlinearity;
import org.vecrnn.model.Output;
import org.vecrnn.model.Parameters;
import org.vecrnn.quant.Int8Scheme;
import org.vecrnn.quant.Int8Weights;
import org.vecrnn.quant.QuantizedRnn;

/**
 * Quantized model files: the seed's names (and {@code U2, W2, a2, ...} of a stacked model's upper layers, as
 * in {@link ModelFile}) with {@code U, W, V} as {@code I8} tensors, each beside its F32
 * scales ({@code U.scale} [d] per row, or [d, ceil(n/32)] per block of 32), {@code a, b} F32, and metadata
 * {@code format=vecrnn, version, output, quant=int8-row|int8-block32}. Read by memory-mapping like
 * {@link ModelFile}; every tensor, shape and scale is checked before a kernel can see it.
 */
public final class QuantizedModelFile {
    /** The metadata key naming the scheme. */
    public static final String QUANT = "quant";

    private QuantizedModelFile() {}

    /**
     * {@return whether it claims to be quantized: a scheme in its metadata or an I8 W (refused later if incomplete)}
     *
     * @param st an open safetensors file
     */
    public static boolean isQuantized(SafeTensors st) {
        return st.metadata().containsKey(QUANT) || (st.has("W") && st.get("W").dtype() == DType.I8);
    }

    /**
     * {@return whether it claims to be quantized (an {@code .onnx} file never is)}
     *
     * @param path a model file
     * @throws VecrnnException when it is not a readable safetensors file
     */
    public static boolean isQuantized(Path path) {
        if (OnnxImport.isOnnx(path)) return false; // ONNX graphs hold fp32 weights
        try (SafeTensors st = SafeTensors.openConfined(path)) {
            return isQuantized(st);
        }
    }

    /** Why {@link ModelFile} refuses a (would-be) quantized file. */
    static String notFp32(SafeTensors st) {
        String id = st.metadata().get(QUANT);
        return id != null ? "is an int8 model (" + QUANT + "=" + id + "); this needs fp32 weights"
                : "tensor 'W' is I8, expected F32 (and the metadata names no quantization scheme)";
    }

    /**
     * {@return its model, to be closed by the caller}
     *
     * @param path an int8 model file
     * @throws VecrnnException naming the file and the problem (a missing scale, a byte of -128, metadata vecrnn cannot honour, ...)
     */
    public static QuantizedRnn load(Path path) {
        try (SafeTensors st = SafeTensors.openConfined(path)) {
            return read(st);
        }
    }

    static QuantizedRnn read(SafeTensors st) {
        Path path = st.path();
        String id = st.metadata().get(QUANT);
        if (id == null) throw VecrnnException.inFile(path, "has an I8 tensor 'W' but its metadata names no quantization scheme ('" + QUANT + "')");
        Int8Scheme scheme;
        Output g;
        Nonlinearity f;
        try {
            scheme = Int8Scheme.parse(id);
            g = Output.parse(st.metadata().get("output"));
        } catch (IllegalArgumentException e) {
            throw VecrnnException.inFile(path, "metadata: " + e.getMessage());
        }
        String fid = st.metadata().get(ModelFile.NONLINEARITY);
        try {
            f = Nonlinearity.parse(fid);
        } catch (IllegalArgumentException e) {
            throw VecrnnException.inFile(path, "metadata \"" + ModelFile.NONLINEARITY + "\" = \"" + fid + "\" is not supported (tanh or relu)");
        }
        int layers = 1;
        while (layers < Parameters.MAX_LAYERS && st.has("U" + (layers + 1))) layers++;
        String declared = st.metadata().get(ModelFile.LAYERS);
        if (declared != null && !declared.equals(Integer.toString(layers)))
            throw VecrnnException.inFile(path, "metadata \"" + ModelFile.LAYERS + "\" = \"" + declared + "\" does not match the tensors, which hold "
                    + layers + " layer" + (layers == 1 ? "" : "s"));
        if (st.has("U" + (layers + 1)) || st.has("W" + (layers + 1)) || st.has("a" + (layers + 1)))
            throw VecrnnException.inFile(path, "holds tensors of a layer " + (layers + 1) + " beyond the " + Parameters.MAX_LAYERS + " layers vecrnn runs, or without its U" + (layers + 1));
        Tensor W = i8(st, "W");
        if (W.rank() != 2 || W.shape()[0] != W.shape()[1] || W.shape()[0] < 1 || W.shape()[0] > Integer.MAX_VALUE / 2)
            throw VecrnnException.inFile(path, "tensor 'W' has shape " + W.shapeString() + ", expected a square [d, d]");
        int d = (int) W.shape()[0];
        Tensor U = i8(st, "U");
        if (U.rank() != 2 || U.shape()[0] != d || U.shape()[1] < 1 || U.elements() > Integer.MAX_VALUE - 64)
            throw VecrnnException.inFile(path, "tensor 'U' has shape " + U.shapeString() + ", expected [" + d + ", n]");
        Tensor V = i8(st, "V");
        if (V.rank() != 2 || V.shape()[1] != d || V.shape()[0] < 1 || V.elements() > Integer.MAX_VALUE - 64)
            throw VecrnnException.inFile(path, "tensor 'V' has shape " + V.shapeString() + ", expected [k, " + d + "]");
        int n = (int) U.shape()[1], k = (int) V.shape()[0];
        ModelMetadata.check(path, st.metadata(), n, k);
        if ((long) d * d > Integer.MAX_VALUE - 64) throw VecrnnException.inFile(path, "tensor 'W' has shape " + W.shapeString() + ": too large");
        QuantizedRnn.Layer[] upper = new QuantizedRnn.Layer[layers - 1];
        for (int l = 2; l <= layers; l++) {
            Tensor Ul = i8(st, "U" + l), Wl = i8(st, "W" + l);
            for (Tensor t : new Tensor[] {Ul, Wl})
                if (!t.hasShape(d, d)) throw VecrnnException.inFile(path, "tensor '" + t.name() + "' has shape " + t.shapeString() + ", expected [" + d + ", " + d + "]");
            upper[l - 2] = new QuantizedRnn.Layer(weights(st, Ul, scheme), weights(st, Wl, scheme), st.floats("a" + l, d));
        }
        try {
            return QuantizedRnn.of(n, d, k, g, f, weights(st, U, scheme), weights(st, W, scheme), st.floats("a", d),
                    weights(st, V, scheme), st.floats("b", k), upper);
        } catch (IllegalArgumentException e) {
            throw VecrnnException.inFile(path, e.getMessage());
        }
    }

    private static Int8Weights weights(SafeTensors st, Tensor q, Int8Scheme scheme) {
        int rows = (int) q.shape()[0], cols = (int) q.shape()[1];
        String name = q.name() + ".scale";
        if (!st.has(name))
            throw VecrnnException.inFile(st.path(), "has no tensor '" + name + "': the int8 matrix '" + q.name() + "' needs its scales");
        long[] shape = scheme == Int8Scheme.ROW ? new long[] {rows} : new long[] {rows, scheme.scalesPerRow(cols)};
        float[] scales = st.floats(name, shape);
        return new Int8Weights(rows, cols, scheme, q.bytes(), scales);
    }

    private static Tensor i8(SafeTensors st, String name) {
        Tensor t = st.get(name);
        if (t.dtype() != DType.I8)
            throw VecrnnException.inFile(st.path(), "tensor '" + name + "' is " + t.dtype() + ", expected I8 in a quantized model");
        return t;
    }

    /**
     * Writes {@code model} atomically: I8 matrices, their F32 scales, F32 biases.
     *
     * @param model the model
     * @param path the file to write (replaced only once it is complete)
     * @param extraMetadata more metadata (e.g. the preprocessing), or null; it cannot replace format, version, output and quant
     */
    public static void save(QuantizedRnn model, Path path, Map<String, String> extraMetadata) {
        List<Tensor> ts = new ArrayList<>();
        List<String> matrices = new ArrayList<>(List.of("U", "W", "V"));
        for (int l = 2; l <= model.layers(); l++) matrices.addAll(List.of("U" + l, "W" + l));
        for (String name : matrices) {
            Int8Weights w = model.weights(name);
            ts.add(Tensor.of(name, w.q(), w.rows(), w.cols()));
            ts.add(w.scheme() == Int8Scheme.ROW ? Tensor.of(name + ".scale", w.scales(), w.rows())
                    : Tensor.of(name + ".scale", w.scales(), w.rows(), w.scalesPerRow()));
        }
        ts.add(Tensor.of("a", model.aValues(), model.d()));
        ts.add(Tensor.of("b", model.bValues(), model.k()));
        for (int l = 2; l <= model.layers(); l++) ts.add(Tensor.of("a" + l, model.aValues(l - 1), model.d()));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", ModelFile.FORMAT);
        meta.put("version", ModelFile.VERSION);
        meta.put("output", model.output().id());
        meta.put(ModelFile.LAYERS, Integer.toString(model.layers()));
        meta.put(ModelFile.NONLINEARITY, model.nonlinearity().id());
        meta.put(QUANT, model.scheme().id());
        if (extraMetadata != null) extraMetadata.forEach(meta::putIfAbsent);
        SafeTensorsWriter.write(path, ts, meta);
    }
}
