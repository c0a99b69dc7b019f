package org.vecrnn.kernel;

/**
 * Argument checks shared by the int8 kernels and the plain Java twins: arrays from outside are checked once per
 * call, before any loop, so a short array fails with a clear message instead of deep inside a vector loop.
 */
final class KernelChecks {
    private KernelChecks() {}

    /**
     * A closed kernel, or a kernel over a closed model, is refused with a clear message before any access
     * (the FFM access would also fail, but deep in a vector loop with the JDK's "Already closed").
     */
    static void open(boolean closed, org.vecrnn.quant.QuantizedRnn model) {
        if (closed) throw new IllegalStateException("this int8 kernel has been closed");
        if (!model.isOpen()) throw new IllegalStateException("the quantized model under this kernel has been closed");
    }

    static void step(StepKernel kr, float[] h, float[] x, float[] hNext) {
        len("h", h, kr.d());
        len("x", x, kr.n());
        len("hNext", hNext, kr.d());
        if (h == hNext) throw new IllegalArgumentException("hNext must not alias h");
    }

    static void projected(StepKernel kr, float[] h, float[] p, int pOff, float[] hNext) {
        len("h", h, kr.d());
        len("hNext", hNext, kr.d());
        if (p == null || pOff < 0 || pOff > p.length - kr.d())
            throw new IllegalArgumentException("p holds " + (p == null ? 0 : p.length) + " values, too few for d=" + kr.d() + " at offset " + pOff);
        if (h == hNext) throw new IllegalArgumentException("hNext must not alias h");
    }

    static void head(StepKernel kr, float[] h, float[] z) {
        len("h", h, kr.d());
        len("z", z, kr.k());
        // the outputs are written block by block while later blocks still read h
        if (h == z) throw new IllegalArgumentException("z must not alias h");
    }

    private static void len(String name, float[] v, int want) {
        if (v == null || v.length < want)
            throw new IllegalArgumentException(name + " holds " + (v == null ? 0 : v.length) + " values, expected " + want);
    }
}
