package org.vecrnn.blas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The environment must never put OpenBLAS on a slower path without a warning that says so. */
class CoreTypeTest {
    @Test
    void aUserCoreTypeBelowAvx512OnAnAvx512CpuIsNamedWithTheWayOut() {
        List<String> w = CoreType.slowerPath("Haswell", true, "Haswell", null);
        assertEquals(1, w.size(), w.toString());
        assertTrue(w.get(0).contains("Haswell kernels") && w.get(0).contains("OPENBLAS_CORETYPE=Haswell is set")
                && w.get(0).contains("unset it"), w.get(0));
    }

    @Test
    void aMisdetectedCoreIsNamedEvenWithoutTheVariable() {
        List<String> w = CoreType.slowerPath("Prescott", true, null, null);
        assertEquals(1, w.size(), w.toString());
        assertTrue(w.get(0).contains("Prescott kernels") && w.get(0).contains("OPENBLAS_CORETYPE=SkylakeX"), w.get(0));
    }

    @Test
    void anL2SizeFromTheEnvironmentIsNamed() {
        List<String> w = CoreType.slowerPath("SkylakeX", true, null, "512");
        assertEquals(1, w.size(), w.toString());
        assertTrue(w.get(0).startsWith("OPENBLAS_L2_SIZE=512 is set"), w.get(0));
    }

    @Test
    void theBestCoreAndAClearEnvironmentSayNothing() {
        assertEquals(List.of(), CoreType.slowerPath("SkylakeX", true, null, null));
        assertEquals(List.of(), CoreType.slowerPath("SkylakeX", true, "SkylakeX", null));
        assertEquals(List.of(), CoreType.slowerPath("COOPERLAKE", true, null, null));
        assertEquals(List.of(), CoreType.slowerPath("Haswell", false, null, null), "no AVX-512: Haswell is the best there is");
    }
}
