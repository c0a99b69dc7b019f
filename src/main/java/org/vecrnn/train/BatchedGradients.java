package org.vecrnn.train;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.vecrnn.blas.Sgemm;
import org.vecrnn.kernel.SegmentOps;
import org.vecrnn.model.ElmanRnn;
import org.vecrnn.model.Loss;
import org.vecrnn.model.Parameters;
import org.vecrnn.model.Topology;

/**
 * {@link BatchedBptt} on batch-major heap arrays, the layout of {@code vecrnn grad}'s files and of
 * {@link ReferenceBptt}: x [B,T,n], h0 [L,B,d] (null for zeros), y [B,T,k] or [B,k]. Results are batch-major:
 * h [B,T,d] (the last layer), z and o [B,T,k], dh0 [L,B,d], dx [B,T,n]; the gradients of every layer.
 */
public record BatchedGradients(double loss, float[] h, float[] z, float[] o, Parameters grads, float[] dh0, float[] dx) {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    public static BatchedGradients compute(Sgemm gemm, SegmentOps ops, ElmanRnn m, float[] x, int B, int T, float[] h0, float[] y,
                                           Topology topology, Loss loss) {
        return compute(gemm, ops, m, x, B, T, h0, y, topology, loss, 0);
    }

    /** The same with no target before step {@code targetFrom} (see {@link Batch#targetFrom(int)}). */
    public static BatchedGradients compute(Sgemm gemm, SegmentOps ops, ElmanRnn m, float[] x, int B, int T, float[] h0, float[] y,
                                           Topology topology, Loss loss, int targetFrom) {
        int n = m.n(), d = m.d(), k = m.k(), L = m.layers();
        loss.checkCompatible(m.output());
        try (ParamBuffers w = ParamBuffers.of(m.parameters(), n, d, k); ParamBuffers gr = new ParamBuffers(n, d, k, L);
             Batch batch = new Batch(B, T, n, d, L, k, topology); BatchedBptt bptt = new BatchedBptt(gemm, ops, n, d, k, L, m.nonlinearity(), m.output());
             Arena arena = Arena.ofConfined()) {
            batch.fill(x, y, h0);
            if (targetFrom > 0) batch.targetFrom(targetFrom);
            MemorySegment dx = arena.allocate((long) B * T * n * Float.BYTES, 64), dh0 = arena.allocate((long) L * B * d * Float.BYTES, 64);
            double loss0 = bptt.lossAndGradients(w, batch, loss, gr, dx, dh0);
            bptt.forward(w, batch); // z and o for every step, not only those with a target
            return new BatchedGradients(loss0, batchMajor(bptt.h(), B * d, B, T, d), batchMajor(bptt.z(), 0, B, T, k),
                    batchMajor(bptt.o(), 0, B, T, k), gr.toParameters(), dh0.toArray(F), batchMajor(dx, 0, B, T, n));
        }
    }

    /** [T,B,w] time-major (from float offset off) to [B,T,w] batch-major. */
    static float[] batchMajor(MemorySegment s, long off, int B, int T, int w) {
        float[] out = new float[B * T * w];
        for (int t = 0; t < T; t++)
            for (int b = 0; b < B; b++)
                MemorySegment.copy(s, F, (off + ((long) t * B + b) * w) * Float.BYTES, out, (b * T + t) * w, w);
        return out;
    }
}
