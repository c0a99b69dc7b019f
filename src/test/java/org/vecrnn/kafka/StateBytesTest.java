package org.vecrnn.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.vecrnn.RandomModels;
import org.vecrnn.VecrnnException;

/** The versioned state bytes: a round trip, and every damaged form refused with a message. */
class StateBytesTest {
    @ParameterizedTest(name = "seed={0}")
    @ValueSource(longs = {1, 2, 3, 4})
    void roundTripAndDamage(long seed) {
        System.out.println("seed " + seed);
        SplittableRandom r = new SplittableRandom(seed);
        int layers = 1 + r.nextInt(4), d = 1 + r.nextInt(70);
        ModelStamp stamp = new ModelStamp(layers, d, layers * d + r.nextInt(5), r.nextLong());
        float[] state = RandomModels.uniform(r, stamp.stateSize(), 1);
        byte[] b = StateBytes.write(stamp, state);
        assertEquals(StateBytes.HEADER + 4L * stamp.stateSize(), b.length);
        assertEquals(stamp, StateBytes.stamp(b));
        float[] back = new float[stamp.stateSize()];
        StateBytes.read(b, back);
        assertArrayEquals(state, back);

        assertThrows(VecrnnException.class, () -> StateBytes.stamp(Arrays.copyOf(b, b.length - 1)));
        assertThrows(VecrnnException.class, () -> StateBytes.stamp(Arrays.copyOf(b, 7)));
        byte[] magic = b.clone();
        magic[0] = 'X';
        assertThrows(VecrnnException.class, () -> StateBytes.stamp(magic));
        byte[] version = b.clone();
        version[3] = 9;
        assertTrue(assertThrows(VecrnnException.class, () -> StateBytes.stamp(version)).getMessage().contains("version 9"));
        byte[] negative = b.clone();
        negative[4] = (byte) 0x80; // a negative layer count
        assertThrows(VecrnnException.class, () -> StateBytes.stamp(negative));
        assertThrows(IllegalArgumentException.class, () -> StateBytes.write(stamp, new float[stamp.stateSize() + 1]));
    }
}
