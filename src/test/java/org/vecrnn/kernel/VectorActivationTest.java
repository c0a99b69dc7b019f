package org.vecrnn.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.vecrnn.RandomModels;
import org.vecrnn.model.Output;

/**
 * The vector sigmoid, 0.5 + 0.5 tanh(z/2), against Output.SIGMOID on awkward lengths and offsets, with
 * saturating inputs: the bound is half the rational tanh's 3e-7 plus one rounding of each side (6e-8 near 1).
 */
class VectorActivationTest {
    @ParameterizedTest(name = "k={0}")
    @ValueSource(ints = {1, 3, 15, 16, 17, 33, 65, 100, 257})
    void sigmoidMatchesScalar(int k) {
        float[] z = RandomModels.uniform(k + 5, 30, 77 + k);
        z[2] = 0f;
        float[] want = new float[k + 1], got = new float[k + 1];
        Output.SIGMOID.apply(z, 3, want, 1, k);
        VectorTanh.sigmoid(z, 3, got, 1, k);
        for (int i = 1; i <= k; i++) assertEquals(want[i], got[i], 0.5 * VectorTanh.MAX_ABS_ERROR + 1.2e-7, "k=" + k + " i=" + i);
        assertEquals(0f, got[0], "nothing written before the offset");
    }

    /** The plain Java twin of each output activation gives the chosen family's bits (a model hands over between them). */
    @ParameterizedTest(name = "k={0}")
    @ValueSource(ints = {1, 3, 15, 16, 17, 33, 65, 100, 257})
    void twinActivationGivesTheSameBits(int k) {
        float[] z = RandomModels.uniform(k + 5, 30, 91 + k);
        z[2] = 0f;
        z[3] = -0f;
        for (Output g : Output.values()) {
            float[] want = new float[k + 1], got = new float[k + 1];
            Kernels.activation(g).apply(z, 3, want, 1, k);
            Kernels.twinActivation(g).apply(z, 3, got, 1, k);
            org.junit.jupiter.api.Assertions.assertArrayEquals(want, got, g + " k=" + k);
        }
    }
}
