package org.vecrnn.kernel;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.util.Locale;
import org.vecrnn.quant.QuantizedRnn;

/**
 * Chooses the int8 step kernel once (the pattern of {@code Kernels} for fp32): the Vector API one when the
 * {@code jdk.incubator.vector} module is present, else the scalar reference. {@code -Dvecrnn.kernel=scalar|vector}
 * forces one; the choice is said once on stderr ({@code -Dvecrnn.kernel.quiet=true} drops the line). The
 * Vector API class is loaded by name, so nothing links against the incubator module when it is absent.
 */
public final class Int8Kernels {
    private Int8Kernels() {}

    private static final class Holder {
        /** The Vector API kernel's constructor, or null for the scalar kernel. */
        static final Constructor<?> VECTOR = choose();
    }

    /**
     * The int8 step kernel of the chosen family. It borrows the model (the Vector API kernel reads its weights
     * once, to pack its own copy): closing the kernel leaves the model open (the caller closes the model).
     */
    public static StepKernel create(QuantizedRnn model) {
        return make(model, false);
    }

    /**
     * The same, but the kernel owns the model: closing the kernel closes the model. For owners that close
     * only their kernel, e.g. an {@code InferenceModel} that owns a model it loaded.
     */
    public static StepKernel owning(QuantizedRnn model) {
        return make(model, true);
    }

    /**
     * One kernel of the chosen family per layer of {@code model}, from the first; each owns a copy of its
     * layer (and the head), so the caller may close {@code model} at once.
     */
    public static java.util.List<StepKernel> layers(QuantizedRnn model) {
        java.util.List<StepKernel> ks = new java.util.ArrayList<>();
        try {
            for (int l = 0; l < model.layers(); l++) ks.add(owning(model.layer(l)));
        } catch (RuntimeException e) {
            ks.forEach(StepKernel::close);
            throw e;
        }
        return ks;
    }

    private static StepKernel make(QuantizedRnn model, boolean owns) {
        Constructor<?> c = Holder.VECTOR;
        return c == null ? new Int8ScalarKernel(model, owns) : instantiate(c, model, owns);
    }

    /**
     * The plain Java twin of this one-layer model's Vector API int8 kernel, the same bits (see
     * {@link Int8ColumnTwinKernel}); it copies what it needs, so the model may close. Null when the Vector API
     * kernel was not chosen.
     */
    public static StepKernel twin(QuantizedRnn model) {
        return Holder.VECTOR == null ? null : new Int8ColumnTwinKernel(model, VectorWidth.FLOATS.length());
    }

    /** The scalar reference, whatever was chosen. */
    public static StepKernel scalar(QuantizedRnn model) {
        return new Int8ScalarKernel(model, false);
    }

    /** The Vector API kernel, whatever was chosen (tests compare it with the scalar one); needs the module. */
    public static StepKernel vector(QuantizedRnn model) {
        return new Int8VectorKernel(model, false);
    }

    private static Constructor<?> choose() {
        String forced = System.getProperty("vecrnn.kernel", "").trim().toLowerCase(Locale.ROOT);
        if (!forced.isEmpty() && !forced.equals("scalar") && !forced.equals("vector"))
            throw new IllegalArgumentException("vecrnn.kernel must be 'scalar' or 'vector', not '" + forced + "'");
        if (forced.equals("scalar")) return say(null, "forced by -Dvecrnn.kernel=scalar");
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            String why = "module jdk.incubator.vector is not loaded (run java with --add-modules jdk.incubator.vector)";
            if (forced.equals("vector")) throw new IllegalStateException("-Dvecrnn.kernel=vector, but " + why);
            return say(null, why);
        }
        try {
            Constructor<?> c = Class.forName("org.vecrnn.kernel.Int8VectorKernel").getDeclaredConstructor(QuantizedRnn.class, boolean.class);
            return say(c, forced.equals("vector") ? "forced by -Dvecrnn.kernel=vector" : "the Vector API is available");
        } catch (ReflectiveOperationException | LinkageError e) {
            if (forced.equals("vector")) throw new IllegalStateException("-Dvecrnn.kernel=vector, but the int8 Vector API kernel failed to load: " + e, e);
            return say(null, "the int8 Vector API kernel failed to load (" + e + ")");
        }
    }

    private static Constructor<?> say(Constructor<?> c, String why) {
        boolean slower = c == null && !why.startsWith("forced");
        if (!Boolean.getBoolean("vecrnn.kernel.quiet"))
            System.getLogger(Int8Kernels.class.getName()).log(slower ? System.Logger.Level.WARNING : System.Logger.Level.DEBUG, "vecrnn: int8 kernels: " + (c == null ? "scalar" : "Vector API " + Int8VectorKernel.F.vectorBitSize() + "-bit")
                    + " (" + why + ")");
        return c;
    }

    private static StepKernel instantiate(Constructor<?> c, QuantizedRnn model, boolean owns) {
        try {
            return (StepKernel) c.newInstance(model, owns);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException re) throw re;
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
