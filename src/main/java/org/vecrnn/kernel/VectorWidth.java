package org.vecrnn.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The one float species every Vector API kernel of this JVM uses. It must be a static final constant:
 * the JIT only turns Vector API calls into SIMD instructions when the species is a compile-time constant,
 * so the width is fixed once per JVM (from {@code -Dvecrnn.vectorBits=256|512}, else the preferred width).
 * Loaded only when the {@code jdk.incubator.vector} module is present.
 */
final class VectorWidth {
    private VectorWidth() {}

    static final VectorSpecies<Float> FLOATS = choose(System.getProperty("vecrnn.vectorBits"));

    static VectorSpecies<Float> choose(String bits) {
        if (bits == null || bits.isBlank()) return FloatVector.SPECIES_PREFERRED;
        int b;
        try {
            b = Integer.parseInt(bits.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("vecrnn.vectorBits must be 128, 256 or 512, not '" + bits + "'");
        }
        if (b != 128 && b != 256 && b != 512)
            throw new IllegalArgumentException("vecrnn.vectorBits must be 128, 256 or 512, not '" + bits + "'");
        int preferred = FloatVector.SPECIES_PREFERRED.vectorBitSize();
        // a width above the hardware's would run in slow Java code, never in SIMD registers
        if (b > preferred) return FloatVector.SPECIES_PREFERRED;
        return VectorSpecies.of(float.class, VectorShape.forBitSize(b));
    }
}
