package org.vecrnn.kernel;

import org.vecrnn.quant.QuantizedRnn;

/**
 * Chooses the int8 step kernel once: the Vector API one when the incubator module is present and vectors
 * have at least 4 float lanes, else the scalar reference. {@code -Dvecrnn.kernel=scalar|vector} forces one
 * (tests and benchmarks); the choice is logged once.
 */
public final class Int8Kernels {
    public static final String PROPERTY = "vecrnn.kernel";

    private static final boolean VECTOR = choose();

    private Int8Kernels() {}

    private static boolean choose() {
        String forced = System.getProperty(PROPERTY, "");
        boolean module = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
        boolean vector = switch (forced) {
            case "scalar" -> false;
            case "vector" -> {
                if (!module) throw new IllegalStateException("-D" + PROPERTY + "=vector needs --add-modules jdk.incubator.vector");
                yield true;
            }
            case "" -> module && Int8VectorKernel.usable();
            default -> throw new IllegalArgumentException("-D" + PROPERTY + "=" + forced + ": expected scalar or vector");
        };
        System.getLogger("org.vecrnn.kernel").log(System.Logger.Level.INFO, vector
                ? "int8 kernels: Vector API, " + Int8VectorKernel.F.vectorBitSize() + "-bit"
                : "int8 kernels: scalar" + (module ? "" : " (jdk.incubator.vector is not in the boot layer: add --add-modules jdk.incubator.vector)"));
        return vector;
    }

    /** The int8 step kernel for {@code model}; it borrows the model's memory (close the model, not only the kernel). */
    public static StepKernel create(QuantizedRnn model) {
        return VECTOR ? new Int8VectorKernel(model) : new Int8ScalarKernel(model);
    }

    public static StepKernel scalar(QuantizedRnn model) {
        return new Int8ScalarKernel(model);
    }

    /** The Vector API kernel, whatever the property says (tests compare it with the scalar one). */
    public static StepKernel vector(QuantizedRnn model) {
        return new Int8VectorKernel(model);
    }
}
