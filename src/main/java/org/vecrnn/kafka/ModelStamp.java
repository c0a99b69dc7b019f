package org.vecrnn.kafka;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.vecrnn.VecrnnException;
import org.vecrnn.infer.InferenceModel;

/**
 * Which model a stored state belongs to: its hidden size d, its number of layers and a fingerprint of its
 * weights (the first 8 bytes of the SHA-256 of the model file, which holds every weight). A state is only
 * meaningful under the model that made it, so every stored state carries the stamp of that model.
 */
public record ModelStamp(int layers, int d, long fingerprint) {
    public ModelStamp {
        if (layers < 1 || d < 1) throw new IllegalArgumentException("layers and d must be at least 1: layers=" + layers + " d=" + d);
        if ((long) layers * d > Integer.MAX_VALUE / 4) throw new IllegalArgumentException("state of layers*d=" + (long) layers * d + " values is too large");
    }

    /** The stamp of a model file and the model loaded from it. */
    public static ModelStamp of(Path modelFile, InferenceModel model) {
        return new ModelStamp(layersOf(model), model.d(), fingerprint(modelFile));
    }

    /** Values in a state: layers * d, layer 0 first. */
    public int stateSize() {
        return layers * d;
    }

    static int layersOf(InferenceModel model) {
        return 1;
    }

    /** The first 8 bytes of the SHA-256 of the file, big-endian. */
    static long fingerprint(Path file) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int r; (r = in.read(buf)) > 0; ) sha.update(buf, 0, r);
        } catch (IOException e) {
            throw VecrnnException.inFile(file, "cannot read the model file to fingerprint it: " + e.getMessage());
        }
        byte[] h = sha.digest();
        long f = 0;
        for (int i = 0; i < 8; i++) f = f << 8 | (h[i] & 0xff);
        return f;
    }

    @Override
    public String toString() {
        return "d=" + d + " layers=" + layers + " weights " + HexFormat.of().toHexDigits(fingerprint);
    }
}
