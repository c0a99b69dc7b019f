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
import org.vecrnn.infer.StreamState;

/**
 * Which model a stored state belongs to: its hidden size d, its number of layers, the values in one stream's
 * state ({@link StreamState#stateSize()}: the hidden states, and the previous input of a model that differences
 * its inputs) and a fingerprint of its weights (the first 8 bytes of the SHA-256 of the model file, which holds
 * every weight and the preprocessing). A state is only meaningful under the model that made it, so every stored
 * state carries the stamp of that model.
 *
 * @param layers L, the model's recurrent layers
 * @param d the size of each layer's hidden state
 * @param stateSize the values of one stream's state, at least L × d
 * @param fingerprint the first 8 bytes of the SHA-256 of the model file
 */
public record ModelStamp(int layers, int d, int stateSize, long fingerprint) {
    /** Checks that the sizes can describe a state: at least one layer of one unit, and no more values than fit. */
    public ModelStamp {
        if (layers < 1 || d < 1) throw new IllegalArgumentException("layers and d must be at least 1: layers=" + layers + " d=" + d);
        if (stateSize < (long) layers * d || stateSize > Integer.MAX_VALUE / 8)
            throw new IllegalArgumentException("a state of " + stateSize + " values does not fit layers=" + layers + " d=" + d);
    }

    /**
     * {@return the stamp that states made by this model carry}
     *
     * @param modelFile the file the model was loaded from (read again to fingerprint it)
     * @param model the model loaded from it
     * @throws org.vecrnn.VecrnnException when the file cannot be read
     */
    public static ModelStamp of(Path modelFile, InferenceModel model) {
        return new ModelStamp(model.layers(), model.d(), model.stateSize(), fingerprint(modelFile));
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
        return "d=" + d + " layers=" + layers + " state " + stateSize + " values, weights " + HexFormat.of().toHexDigits(fingerprint);
    }
}
