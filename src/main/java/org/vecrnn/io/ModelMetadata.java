package org.vecrnn.io;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.vecrnn.VecrnnException;
import org.vecrnn.model.Preprocessing;

/**
 * The metadata of a model file as a contract, checked in one place for every loader. A key is one of three
 * kinds:
 * <ul>
 *   <li>{@link #HONOURED}: it changes the math, and vecrnn applies it or refuses the file with the key and
 *   the value ({@code output}, {@code layers}, {@code nonlinearity} and {@code quant} are parsed by the
 *   loaders; {@code version} and the input preprocessing here);</li>
 *   <li>{@link #INFORMATIONAL}: it is for people or for one command ({@code vocabulary} for {@code sample}),
 *   never for the math;</li>
 *   <li>anything else: ignored, as PyTorch and other tools write keys of their own ({@code format: pt}),
 *   unless its name says it may change the math ({@link #looksMathematical}): then the file is refused,
 *   because vecrnn would otherwise compute something other than the model its author meant.</li>
 * </ul>
 */
public final class ModelMetadata {
    /** The model file version key; vecrnn reads version {@value ModelFile#VERSION}. */
    public static final String VERSION = "version";

    /** The keys vecrnn applies to the computation (or refuses the file for). */
    public static final Set<String> HONOURED = Set.of(VERSION, "output", ModelFile.LAYERS, ModelFile.NONLINEARITY,
            QuantizedModelFile.QUANT, Preprocessing.INPUT, Preprocessing.MEAN, Preprocessing.STD, Preprocessing.INPUT_SCALE);

    /** The keys vecrnn writes or reads that never change the math: what {@code train} records about a run. */
    public static final Set<String> INFORMATIONAL = Set.of("format", "task", "topology", "vocabulary", "classes", "window",
            "slope_cuts", "input_description", "trained_epochs", "seed");

    /**
     * Words that, in the name of a key vecrnn does not know, say that the key may change what the model
     * computes: input or output transforms, normalisation, the cell, its layers or its numbers. Not dtype or
     * precision: each tensor's dtype is in the header, and vecrnn refuses one it does not read.
     */
    private static final Set<String> MATH_WORDS = Set.of("scale", "scaling", "scales", "mean", "std", "stddev", "variance",
            "norm", "normalize", "normalise", "normalized", "normalised", "normalization", "normalisation", "standardize",
            "standardise", "offset", "shift", "bias", "activation", "nonlinearity", "quant", "quantize", "quantise",
            "quantized", "quantised", "quantization", "quantisation", "bidirectional", "direction",
            "directions", "layer", "layers", "mode", "cell", "proj", "projection", "transform", "preprocess",
            "preprocessing", "diff", "difference", "differences", "differencing", "centred", "centered", "clip", "clipping");

    /** First words of keys that describe how training began (PyTorch scripts write e.g. {@code init_scale}). */
    private static final Set<String> INITIALISATION = Set.of("init", "initial", "initialization", "initialisation", "initialize", "initialise");

    private ModelMetadata() {}

    /**
     * Refuses what vecrnn cannot honour: a version it does not read, preprocessing it cannot apply, or a key it
     * does not know whose name says it may change the math.
     *
     * @param file the model file, for messages
     * @param metadata the file's metadata
     * @param n the model's input size
     * @param k the model's output size
     * @return the preprocessing the metadata asks for ({@link Preprocessing#NONE} when none)
     * @throws VecrnnException naming the file, the key and the value
     */
    public static Preprocessing check(Object file, Map<String, String> metadata, int n, int k) {
        String version = metadata.get(VERSION);
        if (version != null && !version.equals(ModelFile.VERSION))
            throw VecrnnException.inFile(file, "metadata " + VERSION + "=" + version + " is not a model version this vecrnn reads (it reads "
                    + ModelFile.VERSION + "); use the vecrnn that wrote it, or a newer one");
        for (String key : new TreeSet<>(metadata.keySet()))
            if (!HONOURED.contains(key) && !INFORMATIONAL.contains(key) && looksMathematical(key))
                throw VecrnnException.inFile(file, "metadata \"" + key + "\" = \"" + metadata.get(key) + "\" is a key vecrnn does not know,"
                        + " and its name says it may change what the model computes, so vecrnn refuses the model rather than ignore it."
                        + " Apply it to the weights or inputs yourself and remove the key (vecrnn honours " + String.join(", ", new TreeSet<>(HONOURED)) + ")");
        try {
            return Preprocessing.of(metadata, n, k);
        } catch (IllegalArgumentException e) {
            throw VecrnnException.inFile(file, e.getMessage());
        }
    }

    /**
     * Whether a key's name says it may change what the model computes: it starts with {@code input} or
     * {@code output} (where vecrnn's own transforms live), or holds a word of the math, such as scale, mean,
     * norm, bias, layer or quant, as a word of its own ({@code input_scale}, {@code num_layers},
     * {@code BatchNorm} do; {@code seed}, {@code format} do not). A key whose first word is init or initial
     * does not: how the weights were initialised before training cannot change a trained model
     * ({@code init_scale}).
     *
     * @param key a metadata key
     * @return whether vecrnn must refuse the key when it does not know it
     */
    public static boolean looksMathematical(String key) {
        String lower = key.toLowerCase(Locale.ROOT);
        if (lower.startsWith("input") || lower.startsWith("output")) return true;
        // words split at anything but letters, and at a lower-to-upper change (camelCase)
        String[] words = key.split("[^A-Za-z]+|(?<=[a-z])(?=[A-Z])");
        int first = words.length > 0 && words[0].isEmpty() ? 1 : 0;
        if (first < words.length && INITIALISATION.contains(words[first].toLowerCase(Locale.ROOT))) return false;
        for (String word : words)
            if (MATH_WORDS.contains(word.toLowerCase(Locale.ROOT))) return true;
        return false;
    }
}
