package org.vecrnn.bench;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.vecrnn.model.ElmanRnn;
import org.vecrnn.model.Parameters;

/**
 * One Elman step with a sigmoid head as an ONNX model (opset 13), the form an exporter gives a PyTorch
 * RNN cell and linear head: input {@code hx} = [h | x] of shape [1, d + n]; {@code h} = Tanh(Gemm(hx, [W | U],
 * a, transB = 1)) of shape [1, d]; {@code o} = Sigmoid(Gemm(h, V, b, transB = 1)) of shape [1, k]. The
 * weights are initializers, so ONNX Runtime may pre-pack them. Written with a few lines of protobuf
 * encoding (the field numbers of onnx.proto) rather than a protobuf dependency.
 */
final class OnnxStepModel {
    private OnnxStepModel() {}

    private static final int FLOAT = 1, ATTRIBUTE_INT = 2;

    static byte[] of(ElmanRnn m) {
        if (m.output() != org.vecrnn.model.Output.SIGMOID) throw new IllegalArgumentException("the ONNX step model has a sigmoid head");
        int n = m.n(), d = m.d(), k = m.k();
        Parameters p = m.parameters();
        float[] WU = new float[d * (d + n)];
        for (int i = 0; i < d; i++) {
            System.arraycopy(p.W(), i * d, WU, i * (d + n), d);
            System.arraycopy(p.U(), i * n, WU, i * (d + n) + d, n);
        }
        Pb graph = new Pb()
                .message(1, gemm("hx", "WU", "a", "s"))
                .message(1, node("Tanh", "s", "h"))
                .message(1, gemm("h", "V", "b", "z"))
                .message(1, node("Sigmoid", "z", "o"))
                .string(2, "elman_step")
                .message(5, tensor("WU", WU, d, d + n))
                .message(5, tensor("a", p.a(), d))
                .message(5, tensor("V", p.V(), k, d))
                .message(5, tensor("b", p.b(), k))
                .message(11, value("hx", 1, d + n))
                .message(12, value("h", 1, d))
                .message(12, value("o", 1, k));
        return new Pb()
                .int64(1, 8)                                   // ir_version
                .string(2, "vecrnn-bench")                     // producer_name
                .message(7, graph)
                .message(8, new Pb().string(1, "").int64(2, 13)) // opset_import: the default domain, opset 13
                .bytes();
    }

    private static Pb node(String op, String in, String out) {
        return new Pb().string(1, in).string(2, out).string(3, op + "_" + out).string(4, op);
    }

    private static Pb gemm(String a, String b, String c, String out) {
        return new Pb().string(1, a).string(1, b).string(1, c).string(2, out).string(3, "Gemm_" + out).string(4, "Gemm")
                .message(5, new Pb().string(1, "transB").int64(3, 1).int64(20, ATTRIBUTE_INT));
    }

    private static Pb tensor(String name, float[] v, long... dims) {
        Pb t = new Pb();
        for (long dim : dims) t.int64(1, dim);
        ByteBuffer raw = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(v);
        return t.int64(2, FLOAT).string(8, name).bytes(9, raw.array());
    }

    private static Pb value(String name, long... dims) {
        Pb shape = new Pb();
        for (long dim : dims) shape.message(1, new Pb().int64(1, dim));
        return new Pb().string(1, name).message(2, new Pb().message(1, new Pb().int64(1, FLOAT).message(2, shape)));
    }

    /** Protobuf wire format: varint fields (wire type 0) and length-delimited ones (wire type 2). */
    private static final class Pb {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Pb int64(int field, long v) {
            varint((long) field << 3);
            varint(v);
            return this;
        }

        Pb string(int field, String s) {
            return bytes(field, s.getBytes(StandardCharsets.UTF_8));
        }

        Pb message(int field, Pb m) {
            return bytes(field, m.bytes());
        }

        Pb bytes(int field, byte[] b) {
            varint((long) field << 3 | 2);
            varint(b.length);
            out.writeBytes(b);
            return this;
        }

        byte[] bytes() {
            return out.toByteArray();
        }

        private void varint(long v) {
            while ((v & ~0x7FL) != 0) {
                out.write((int) (v & 0x7F) | 0x80);
                v >>>= 7;
            }
            out.write((int) v);
        }
    }
}
