package org.vecrnn.kernel;

import java.util.Locale;
import org.vecrnn.model.ElmanRnn;

/**
 * The kernel chooser (the Lucene VectorizationProvider pattern): decides once, at first use, between the
 * scalar reference and the Vector API kernels, and says on one stderr line what it picked and why.
 * <ul>
 * <li>{@code -Dvecrnn.kernel=scalar|vector} forces a family (vector fails loudly if it cannot run);</li>
 * <li>{@code -Dvecrnn.vectorBits=256|512} forces the vector width (default: the CPU's preferred width);</li>
 * <li>without {@code --add-modules jdk.incubator.vector} the Vector API is absent: this is said once and
 *     the scalar kernels run; nothing fails.</li>
 * </ul>
 * {@code -Dvecrnn.kernel.quiet=true} drops the line (for the {@code stream} command's clean stderr, say).
 */
public final class Kernels {
    private Kernels() {}

    private static final String VECTOR_MODULE = "jdk.incubator.vector";

    private static final class Holder {
        static final KernelProvider PROVIDER = choose();
    }

    /** The fp32 step kernel of the chosen family for this model. */
    public static StepKernel stepKernel(ElmanRnn model) {
        return Holder.PROVIDER.stepKernel(model);
    }

    /** The fp32 batch kernel (all-steps input projection, batched recurrence) of the chosen family. */
    public static BatchKernel batchKernel(ElmanRnn model) {
        return Holder.PROVIDER.batchKernel(model);
    }

    /** The output activation g as the chosen family computes it. */
    public static Activation activation(org.vecrnn.model.Output g) {
        return Holder.PROVIDER.activation(g);
    }

    /**
     * Whether v[off, off + len) holds only finite values, with the chosen family (the Vector API form is a few
     * vector operations where a scalar loop is one compare a value).
     */
    public static boolean allFinite(float[] v, int off, int len) {
        java.util.Objects.checkFromIndexSize(off, len, v.length);
        return Holder.PROVIDER.allFinite(v, off, len);
    }

    /**
     * The plain Java twin of this layer's Vector API step kernel (the same operations in the same order, so the
     * same bits), which a freshly loaded model runs until C2 has compiled the Vector API: see
     * {@link ColumnTwinKernel}. Null when the Vector API kernels were not chosen (the scalar ones need no twin).
     */
    public static StepKernel twinStepKernel(ElmanRnn model) {
        return Holder.PROVIDER instanceof ScalarKernelProvider ? null : new ColumnTwinKernel(model, VectorWidth.FLOATS.length());
    }

    /**
     * The output activation g of the chosen family in plain Java, the same bits (the sigmoid through the rational
     * tanh, as {@link VectorTanh#sigmoid}): the twin of {@link #activation} for a freshly loaded model.
     */
    public static Activation twinActivation(org.vecrnn.model.Output g) {
        if (g != org.vecrnn.model.Output.SIGMOID || Holder.PROVIDER instanceof ScalarKernelProvider) return Holder.PROVIDER.activation(g);
        return (z, zOff, o, oOff, k) -> {
            for (int i = 0; i < k; i++) o[oOff + i] = Math.fma(Tanh.tanh(z[zOff + i] * 0.5f), 0.5f, 0.5f);
        };
    }

    /** The scalar reference, whatever was chosen (for tests and benchmarks). */
    public static StepKernel scalarStepKernel(ElmanRnn model) {
        return new ScalarStepKernel(model);
    }

    public static BatchKernel scalarBatchKernel(ElmanRnn model) {
        return new ScalarBatchKernel(model);
    }

    /**
     * Step and batch kernels compute one layer: a stacked model is one kernel per layer, each built from
     * {@link ElmanRnn#layer(int)}. Refusing here keeps a stack from running as its first layer alone.
     */
    static void checkOneLayer(ElmanRnn model) {
        if (model.layers() != 1)
            throw new IllegalArgumentException("a kernel computes one layer, and this model has " + model.layers()
                    + "; build one kernel per layer from ElmanRnn.layer(l)");
    }

    /** What was chosen, e.g. "Vector API 512-bit" or "scalar". */
    public static String chosen() {
        return Holder.PROVIDER.name();
    }

    private static KernelProvider choose() {
        String forced = System.getProperty("vecrnn.kernel", "").trim().toLowerCase(Locale.ROOT);
        if (!forced.isEmpty() && !forced.equals("scalar") && !forced.equals("vector"))
            throw new IllegalArgumentException("vecrnn.kernel must be 'scalar' or 'vector', not '" + forced + "'");
        if (forced.equals("scalar")) return say(new ScalarKernelProvider(), "forced by -Dvecrnn.kernel=scalar");
        if (ModuleLayer.boot().findModule(VECTOR_MODULE).isEmpty()) {
            String why = "module " + VECTOR_MODULE + " is not loaded (run java with --add-modules " + VECTOR_MODULE + ")";
            if (forced.equals("vector")) throw new IllegalStateException("-Dvecrnn.kernel=vector, but " + why);
            return say(new ScalarKernelProvider(), why);
        }
        try {
            KernelProvider p = (KernelProvider) Class.forName("org.vecrnn.kernel.VectorKernelProvider")
                    .getDeclaredConstructor().newInstance();
            return say(p, forced.equals("vector") ? "forced by -Dvecrnn.kernel=vector" : "the Vector API is available");
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            Throwable cause = e;
            while (cause.getCause() != null && !(cause instanceof IllegalArgumentException)) cause = cause.getCause();
            if (cause instanceof IllegalArgumentException iae) throw iae;
            if (forced.equals("vector")) throw new IllegalStateException("-Dvecrnn.kernel=vector, but the Vector API kernels failed to load: " + cause, cause);
            return say(new ScalarKernelProvider(), "the Vector API kernels failed to load (" + cause + ")");
        }
    }

    private static KernelProvider say(KernelProvider p, String why) {
        // DEBUG when all is well (-v shows it); a warning when the scalar path was not asked for: it is much slower
        boolean slower = p instanceof ScalarKernelProvider && !why.startsWith("forced");
        if (!Boolean.getBoolean("vecrnn.kernel.quiet"))
            System.getLogger(Kernels.class.getName()).log(slower ? System.Logger.Level.WARNING : System.Logger.Level.DEBUG,
                    "vecrnn: kernels: " + p.name() + " (" + why + ")");
        return p;
    }
}
