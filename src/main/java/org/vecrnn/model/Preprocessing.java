package org.vecrnn.model;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code vecrnn train} did to the inputs, read back from a model's metadata, so that inference takes
 * the user's own values and gives outputs in the user's own units. The keys:
 * <ul>
 * <li>{@code input}: {@code values} (the next step of the input is predicted: outputs are mapped back into
 *     the input's units), {@code differences} (the network sees x_t - x_{t-1} and predicts the next change:
 *     an output is the last input plus the predicted change, in the input's units), {@code centred} (each
 *     sequence minus its own mean over its steps: only whole sequences, {@code forward}, can do that);
 *     the first word counts, the rest of the value is a description.</li>
 * <li>{@code mean}, {@code std}: n numbers each (spaces or commas, brackets allowed): x' = (x - mean) / std
 *     (after differencing).</li>
 * <li>{@code input_scale}: one number: x' = x * input_scale (after the above).</li>
 * </ul>
 * A value vecrnn does not understand is refused with the key and the value, never ignored. The first step
 * of a differenced sequence has no x_{t-1}: it is given the training data's mean change (a standardised 0).
 * Immutable; the per-stream part (the previous input) lives in {@link Stream}.
 */
public final class Preprocessing {
    /** The metadata keys this class reads. */
    public static final String INPUT = "input", MEAN = "mean", STD = "std", INPUT_SCALE = "input_scale";

    /** How the inputs were turned into what the network saw. */
    public enum Input {
        /** x_t itself (metadata {@code input = values}): the outputs predict the next input. */
        VALUES,
        /** x_t - x_{t-1} ({@code input = differences}): the outputs predict the next change. */
        DIFFERENCES,
        /** x_t minus its sequence's mean ({@code input = centred}): whole sequences only. */
        CENTRED
    }

    /** No preprocessing: inputs and outputs as the network sees them. */
    public static final Preprocessing NONE = new Preprocessing(null, null, null, 1f);

    /** The description the captions task wrote before it stopped using this key: no transform. */
    private static final String CAPTIONS_NOTE = "64 pixels / 16, then a one-hot word";

    private final Input input;
    private final float[] mean, std;
    private final float scale;

    private Preprocessing(Input input, float[] mean, float[] std, float scale) {
        this.input = input;
        this.mean = mean;
        this.std = std;
        this.scale = scale;
    }

    /**
     * The preprocessing a model's metadata asks for, checked against its sizes.
     *
     * @param metadata a model file's metadata, or null
     * @param n the model's input size (mean and std hold n numbers)
     * @param k the model's output size (n when outputs are mapped back)
     * @return {@link #NONE} when the metadata records no preprocessing
     * @throws IllegalArgumentException naming the key and value that cannot be honoured
     */
    public static Preprocessing of(Map<String, String> metadata, int n, int k) {
        if (metadata == null) return NONE;
        Input in = parseInput(metadata.get(INPUT));
        float[] mean = numbers(metadata, MEAN, n), std = numbers(metadata, STD, n);
        if (std != null)
            for (float s : std)
                if (!(s > 0)) throw new IllegalArgumentException("metadata " + STD + "=" + metadata.get(STD) + ": every value must be positive");
        float scale = 1f;
        String s = metadata.get(INPUT_SCALE);
        if (s != null) {
            try {
                scale = Float.parseFloat(s.trim());
            } catch (NumberFormatException e) {
                scale = Float.NaN;
            }
            if (!Float.isFinite(scale) || scale == 0)
                throw new IllegalArgumentException("metadata " + INPUT_SCALE + "=" + s + " is not a finite, non-zero number");
        }
        if ((in == Input.VALUES || in == Input.DIFFERENCES) && k != n)
            throw new IllegalArgumentException("metadata " + INPUT + "=" + metadata.get(INPUT) + " says the outputs predict the next input, but the model has n="
                    + n + " inputs and k=" + k + " outputs");
        if (in == null && mean == null && std == null && scale == 1f) return NONE;
        return new Preprocessing(in, mean, std, scale);
    }

    private static Input parseInput(String value) {
        if (value == null || value.equals(CAPTIONS_NOTE)) return null;
        String first = value.strip().split("[\\s(]", 2)[0].toLowerCase(Locale.ROOT);
        return switch (first) {
            case "values" -> Input.VALUES;
            case "differences" -> Input.DIFFERENCES;
            case "centred" -> Input.CENTRED;
            default -> throw new IllegalArgumentException("metadata " + INPUT + "=" + value
                    + " is not a preprocessing vecrnn knows (values, differences or centred)");
        };
    }

    private static float[] numbers(Map<String, String> metadata, String key, int n) {
        String value = metadata.get(key);
        if (value == null) return null;
        String[] parts = value.strip().replaceAll("^\\[|\\]$", "").strip().split("[\\s,]+");
        if (parts.length != n)
            throw new IllegalArgumentException("metadata " + key + "=" + value + " holds " + parts.length + " numbers, the model takes n=" + n);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            try {
                v[i] = Float.parseFloat(parts[i]);
            } catch (NumberFormatException e) {
                v[i] = Float.NaN;
            }
            if (!Float.isFinite(v[i])) throw new IllegalArgumentException("metadata " + key + "=" + value + ": '" + parts[i] + "' is not a finite number");
        }
        return v;
    }

    /** {@return whether this changes nothing} */
    public boolean isNone() {
        return this == NONE;
    }

    /** {@return whether a stream, one step at a time, can apply it ({@code centred} needs the whole sequence)} */
    public boolean streamable() {
        return input != Input.CENTRED;
    }

    /** {@return whether outputs are mapped back into the input's units (the model predicts the next input)} */
    public boolean mapsOutputs() {
        return input == Input.VALUES || input == Input.DIFFERENCES;
    }

    /** {@return one line for people: what is done to x and to o, as {@code vecrnn inspect} prints it} */
    public String describe() {
        if (isNone()) return "none (inputs and outputs as the network sees them)";
        String x = switch (input == null ? Input.VALUES : input) {
            case DIFFERENCES -> "x_t - x_{t-1}";
            case CENTRED -> "x_t - mean of its sequence";
            case VALUES -> "x_t";
        };
        if (mean != null) x = "(" + x + " - mean)";
        if (std != null) x = (x.startsWith("(") || !x.contains(" ") ? x : "(" + x + ")") + " / std";
        if (scale != 1f) x = x + " * " + scale;
        StringBuilder sb = new StringBuilder("x' = ").append(x);
        if (mean != null) sb.append(", mean=").append(Arrays.toString(mean));
        if (std != null) sb.append(", std=").append(Arrays.toString(std));
        if (input == Input.DIFFERENCES) sb.append("; o = x_t + o' * std + mean (the next value in the input's units)");
        else if (input == Input.VALUES && (mean != null || std != null)) sb.append("; o = o' * std + mean (the next value in the input's units)");
        if (input == Input.CENTRED) sb.append("; whole sequences only (forward), a stream refuses it");
        return sb.toString();
    }

    private float toNetwork(float v, int i) {
        if (mean != null) v -= mean[i];
        if (std != null) v /= std[i];
        return v * scale;
    }

    private float toUser(float o, int i) {
        if (std != null) o *= std[i];
        if (mean != null) o += mean[i];
        return o;
    }

    /**
     * {@return x as the network sees it, in a new array}
     *
     * @param x the user's inputs [B,T,n], left as they are
     * @param B the number of sequences
     * @param T the steps of each sequence
     * @param n the input size
     */
    public float[] inputs(float[] x, int B, int T, int n) {
        float[] out = new float[x.length];
        for (int b = 0; b < B; b++) {
            int base = b * T * n;
            for (int i = 0; i < n; i++) {
                float centre = 0;
                if (input == Input.CENTRED) {
                    double s = 0;
                    for (int t = 0; t < T; t++) s += x[base + t * n + i];
                    centre = (float) (s / T);
                }
                for (int t = 0; t < T; t++) {
                    int j = base + t * n + i;
                    float v = switch (input == null ? Input.VALUES : input) {
                        case DIFFERENCES -> t == 0 ? (mean == null ? 0 : mean[i]) : x[j] - x[j - n];
                        case CENTRED -> x[j] - centre;
                        case VALUES -> x[j];
                    };
                    out[j] = toNetwork(v, i);
                }
            }
        }
        return out;
    }

    /**
     * Maps the network's outputs back into the user's units, in place.
     *
     * @param x the user's inputs [B,T,n] (a difference model's output is added to its input)
     * @param o the network's outputs [B,T,k], overwritten
     * @param B the number of sequences
     * @param T the steps of each sequence
     * @param k the output size (= n when anything is mapped)
     */
    public void outputs(float[] x, float[] o, int B, int T, int k) {
        if (!mapsOutputs()) return;
        for (int r = 0; r < B * T; r++)
            for (int i = 0; i < k; i++) {
                int j = r * k + i;
                o[j] = toUser(o[j], i) + (input == Input.DIFFERENCES ? x[j] : 0);
            }
    }

    /**
     * {@return the values a stream keeps beyond its hidden state (see {@link Stream#stateSize})}
     *
     * @param n the model's input size
     */
    public int stateSize(int n) {
        return input == Input.DIFFERENCES ? n + 1 : 0;
    }

    /**
     * {@return the per-stream part of the preprocessing, starting a new sequence}
     *
     * @param n the model's input size
     * @throws IllegalStateException when the inputs are centred ({@link #streamable} is false)
     */
    public Stream newStream(int n) {
        if (!streamable())
            throw new IllegalStateException("the model's inputs were centred on each whole sequence (metadata " + INPUT
                    + "=centred), which a stream cannot do step by step: run whole sequences with forward, or turn preprocessing off");
        return new Stream(n);
    }

    /**
     * One stream's preprocessing: the input as the network sees it, the output mapped back, and, for
     * differences, the previous input. Allocates nothing per step.
     */
    public final class Stream {
        private final float[] xNet, previous;
        private boolean hasPrevious;

        private Stream(int n) {
            this.xNet = new float[n];
            this.previous = input == Input.DIFFERENCES ? new float[n] : null;
        }

        /**
         * {@return x_t as the network sees it (a buffer of this stream's, valid until the next call)}
         *
         * @param x the user's input x_t [n]
         */
        public float[] input(float[] x) {
            for (int i = 0; i < xNet.length; i++) {
                float v = x[i];
                if (previous != null) v = hasPrevious ? v - previous[i] : (mean == null ? 0 : mean[i]);
                xNet[i] = toNetwork(v, i);
            }
            return xNet;
        }

        /**
         * Maps o back into the user's units, after a step on x, and remembers x as the previous input.
         *
         * @param x the user's input, the same x {@link #input} was given
         * @param o the network's output, overwritten
         * @param k the output size
         */
        public void output(float[] x, float[] o, int k) {
            if (mapsOutputs())
                for (int i = 0; i < k; i++) o[i] = toUser(o[i], i) + (previous != null ? x[i] : 0);
            if (previous != null) {
                System.arraycopy(x, 0, previous, 0, previous.length);
                hasPrevious = true;
            }
        }

        /** A new sequence: no previous input. */
        public void reset() {
            hasPrevious = false;
        }

        /**
         * {@return the values of state this keeps beyond h: for differences, the previous input and whether there is
         * one}
         */
        public int stateSize() {
            return previous == null ? 0 : previous.length + 1;
        }

        /**
         * Writes {@link #stateSize()} values.
         *
         * @param dst where to write
         * @param off the first index written
         */
        public void save(float[] dst, int off) {
            if (previous == null) return;
            System.arraycopy(previous, 0, dst, off, previous.length);
            dst[off + previous.length] = hasPrevious ? 1 : 0;
        }

        /**
         * Reads what {@link #save} wrote.
         *
         * @param src where to read
         * @param off the first index read
         * @throws IllegalArgumentException when the flag after the previous input is not 0 or 1
         */
        public void restore(float[] src, int off) {
            if (previous == null) return;
            float flag = src[off + previous.length];
            if (flag != 0 && flag != 1) throw new IllegalArgumentException("state value " + (off + previous.length) + " must be 0 or 1 (whether there is a previous input), not " + flag);
            System.arraycopy(src, off, previous, 0, previous.length);
            hasPrevious = flag == 1;
        }
    }
}
