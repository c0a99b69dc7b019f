package org.vecrnn.io;

import java.nio.file.Path;
import java.util.Map;
import org.vecrnn.VecrnnException;
import org.vecrnn.model.Preprocessing;

/**
 * The metadata keys of a model file that change the math, checked in one place for every loader: each is
 * honoured or the file is refused with the key and the value. {@code output} and {@code quant} are parsed
 * by the loaders themselves; here {@code version} and the input preprocessing ({@link Preprocessing}).
 */
public final class ModelMetadata {
    public static final String VERSION = "version";

    private ModelMetadata() {}

    /** Refuses what vecrnn cannot honour; returns the preprocessing the metadata asks for. */
    public static Preprocessing check(Object file, Map<String, String> metadata, int n, int k) {
        String version = metadata.get(VERSION);
        if (version != null && !version.equals(ModelFile.VERSION))
            throw VecrnnException.inFile(file, "metadata " + VERSION + "=" + version + " is not a model version this vecrnn reads (it reads "
                    + ModelFile.VERSION + "); use the vecrnn that wrote it, or a newer one");
        try {
            return Preprocessing.of(metadata, n, k);
        } catch (IllegalArgumentException e) {
            throw VecrnnException.inFile(file, e.getMessage());
        }
    }
}
