package org.vecrnn.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/**
 * The width every Vector API kernel of this JVM uses: the build runs the kernel tests once at the preferred
 * width and once with {@code -Dvecrnn.vectorBits=256}; this checks that the property really took effect.
 */
class VectorWidthTest {
    @Test
    void theForcedWidthIsTheOneInUse() {
        String forced = System.getProperty("vecrnn.vectorBits");
        int preferred = FloatVector.SPECIES_PREFERRED.vectorBitSize();
        int want = forced == null || forced.isBlank() ? preferred : Math.min(Integer.parseInt(forced.trim()), preferred);
        assertEquals(want, VectorWidth.FLOATS.vectorBitSize(), "vecrnn.vectorBits=" + forced);
        System.out.println("kernels run at " + VectorWidth.FLOATS.vectorBitSize() + " bits (vecrnn.vectorBits=" + forced + ")");
    }

    @Test
    void choiceFollowsTheProperty() {
        int preferred = FloatVector.SPECIES_PREFERRED.vectorBitSize();
        assertEquals(preferred, VectorWidth.choose(null).vectorBitSize());
        assertEquals(Math.min(256, preferred), VectorWidth.choose(" 256 ").vectorBitSize());
        assertEquals(128, VectorWidth.choose("128").vectorBitSize());
        assertEquals(preferred, VectorWidth.choose("512").vectorBitSize());
        assertThrows(IllegalArgumentException.class, () -> VectorWidth.choose("384"));
        assertThrows(IllegalArgumentException.class, () -> VectorWidth.choose("wide"));
    }
}
