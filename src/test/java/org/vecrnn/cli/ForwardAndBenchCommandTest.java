package org.vecrnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vecrnn.Oracle;
import org.vecrnn.io.SafeTensors;
import org.vecrnn.io.SafeTensorsWriter;
import org.vecrnn.io.Tensor;

/** {@code vecrnn forward} on the fast path against the oracle, and the one-line format of {@code vecrnn bench}. */
class ForwardAndBenchCommandTest {
    @TempDir
    Path dir;

    record Result(int code, String out, String err) {}

    static Result run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void forwardMatchesTheOracle() {
        Path c = Oracle.dir().resolve("m2m_sigmoid_mse_n19_d17_k3_T7_B3_s1002.safetensors");
        Path in = dir.resolve("in.safetensors"), out = dir.resolve("out.safetensors");
        try (SafeTensors st = SafeTensors.open(c)) {
            SafeTensorsWriter.write(in, List.of(st.get("x"), st.get("h0")), Map.of());
            Result r = run("forward", "--model", c.toString(), "--input", in.toString(), "--output", out.toString());
            assertEquals(0, r.code, r.err);
            try (SafeTensors got = SafeTensors.open(out)) {
                for (String name : List.of("h", "o")) {
                    Tensor t = got.get(name);
                    assertTrue(java.util.Arrays.equals(st.get(name).shape(), t.shape()), name + " shape");
                    double e = Oracle.err(t.floats(), st.get(name).floats());
                    assertTrue(e <= 1e-4, name + ": normalized error " + e);
                }
            }
        }
    }

    @Test
    void benchPrintsOneLine() {
        Result s = run("bench", "--workload", "stream", "--n", "3", "--d", "5", "--k", "2");
        assertEquals(0, s.code, s.err);
        assertTrue(s.out.matches("workload=stream n=3 d=5 k=2 weights=fp32 ns_per_step=[0-9.]+\\R"), s.out);
        Result b = run("bench", "--workload", "batch", "--n", "3", "--d", "5", "--k", "2", "--batch", "4", "--steps", "6", "--threads", "2");
        assertEquals(0, b.code, b.err);
        assertTrue(b.out.matches("workload=batch n=3 d=5 k=2 weights=fp32 seq_per_s=[0-9.]+ threads=2\\R"), b.out);
    }

    @Test
    void benchInt8PrintsOneLine() {
        Result s = run("bench", "--workload", "stream", "--n", "3", "--d", "5", "--k", "2", "--int8");
        assertEquals(0, s.code, s.err);
        assertTrue(s.out.matches("workload=stream n=3 d=5 k=2 weights=int8 ns_per_step=[0-9.]+\\R"), s.out);
    }

    @Test
    void benchServingWorkloadsPrintOneLine() {
        Result s = run("bench", "--workload", "streams", "--streams", "5", "--n", "3", "--d", "17", "--k", "2", "--int8");
        assertEquals(0, s.code, s.err);
        assertTrue(s.out.matches("workload=streams n=3 d=17 k=2 weights=int8 streams=5 ns_per_step=[0-9.]+ stream_steps_per_s=[0-9.]+ speedup=[0-9.]+\\R"), s.out);
        Result c = run("bench", "--workload", "concurrent", "--threads", "3", "--n", "3", "--d", "17", "--k", "2");
        assertEquals(0, c.code, c.err);
        assertTrue(c.out.matches("workload=concurrent n=3 d=17 k=2 weights=fp32 window_us=50 stream_steps_per_s=[0-9.]+ alone_steps_per_s=[0-9.]+"
                + " mean_group=[0-9.]+ p50_us=[0-9.]+ p99_us=[0-9.]+ threads=3\\R"), c.out);
        Result k = run("bench", "--workload", "coldstart", "--n", "3", "--d", "17", "--k", "2");
        assertEquals(0, k.code, k.err);
        assertTrue(k.out.matches("workload=coldstart n=3 d=17 k=2 weights=fp32 load_ms=[0-9.]+ warm_ms=([0-9.]+|none) first_step_us=[0-9.]+ first1000_p50_us=[0-9.]+"
                + " first1000_p99_us=[0-9.]+ steady_p50_us=[0-9.]+ steady_p99_us=[0-9.]+ warmup=on\\R"), k.out);
        assertEquals(2, run("bench", "--workload", "streams", "--streams", "0").code);
    }

    @Test
    void benchTrainPrintsOneLine() {
        Result t = run("bench", "--workload", "train", "--n", "3", "--d", "5", "--k", "2", "--batch", "4", "--steps", "6");
        assertEquals(0, t.code, t.err);
        assertTrue(t.out.matches("workload=train n=3 d=5 k=2 weights=fp32 steps_per_s=[0-9.]+\\R"), t.out);
    }

    @Test
    void benchRejectsWhatItCannotRun() {
        Result t = run("bench", "--workload", "sideways");
        assertEquals(2, t.code);
        assertTrue(t.err.contains("--workload must be stream, streams, concurrent, coldstart, batch or train, not 'sideways'"), t.err);
        assertEquals(2, run("bench", "--workload", "stream", "--d", "0").code);
        assertEquals(2, run("bench", "--workload", "train", "--int8").code);
        // a wide head alone can make the outputs too large: 2^16 sequences x 2^4 steps x 2^14 outputs
        Result k = run("bench", "--workload", "batch", "--n", "2", "--d", "2", "--k", "16384", "--batch", "65536", "--steps", "16");
        assertEquals(2, k.code);
        assertTrue(k.err.contains("--batch * --steps * max(n, d, k) is too large"), k.err);
    }
}
