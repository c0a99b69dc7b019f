package org.vecrnn.kernel;

import java.lang.foreign.MemorySegment;
import org.vecrnn.model.Nonlinearity;
import org.vecrnn.quant.Int8Matrix;
import org.vecrnn.quant.QuantizedRnn;

/**
 * What the int8 step kernels share: the model's matrices and biases, its sizes, and closing. The scalar
 * kernel reads the model's memory in place; the Vector API one packs its own copy of the int8 bytes at start.
 * Subclasses differ only in how they run a step.
 */
abstract class Int8Kernel implements StepKernel {
    final QuantizedRnn model;
    /** Whether {@link #close()} closes the model (see {@link Int8Kernels#owning}). */
    private final boolean owns;
    /** Set by {@link #close()}: a closed kernel refuses use even when it borrowed its model. */
    volatile boolean closed;
    final Int8Matrix U, W, V;
    final MemorySegment a, b;
    final int n, d, k;
    /** The hidden nonlinearity; {@code relu} for the Vector API kernel's branch. */
    final Nonlinearity f;
    final boolean relu;

    Int8Kernel(QuantizedRnn model, boolean owns) {
        if (model.layers() != 1)
            throw new IllegalArgumentException("an int8 kernel computes one layer, and this model has " + model.layers()
                    + "; build one kernel per layer (Int8Kernels.layers)");
        this.model = model;
        this.f = model.nonlinearity();
        this.relu = f == Nonlinearity.RELU;
        this.owns = owns;
        this.U = model.U();
        this.W = model.W();
        this.V = model.V();
        this.a = model.a();
        this.b = model.b();
        this.n = model.n();
        this.d = model.d();
        this.k = model.k();
    }

    @Override
    public final int n() { return n; }

    @Override
    public final int d() { return d; }

    @Override
    public final int k() { return k; }

    @Override
    public long weightBytes() {
        return model.bytes();
    }

    @Override
    public final void close() {
        closed = true;
        release();
        if (owns) model.close();
    }

    /** Frees what the kernel itself allocated; called once by {@link #close()}, perhaps again by a second close. */
    void release() {}
}
