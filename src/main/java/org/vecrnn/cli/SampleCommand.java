package org.vecrnn.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.vecrnn.VecrnnException;
import org.vecrnn.generate.Generator;
import org.vecrnn.generate.TokenInput;
import org.vecrnn.infer.InferenceModel;
import org.vecrnn.infer.StreamState;
import org.vecrnn.io.SafeTensors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "sample", mixinStandardHelpOptions = true,
        description = {"Write text with a character model made by train --task chars.",
                "The start text is fed in, then each chosen character is fed back as the next input (one-to-many "
                        + "generation)."})
final class SampleCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "M", description = "a character model (its metadata holds the vocabulary)")
    Path model;

    @Option(names = "--start", defaultValue = "\n", paramLabel = "TEXT", description = "text to start from (default: a new line)")
    String start;

    @Option(names = "--length", defaultValue = "400", paramLabel = "N", description = "characters to write (default ${DEFAULT-VALUE})")
    int length;

    @Option(names = "--method", defaultValue = "sample", paramLabel = "M", description = "sample, greedy or beam (default ${DEFAULT-VALUE})")
    String method;

    @Option(names = "--temperature", defaultValue = "0.8", paramLabel = "T", description = "sampling temperature (default ${DEFAULT-VALUE})")
    double temperature;

    @Option(names = "--width", defaultValue = "4", paramLabel = "B", description = "beam width (default ${DEFAULT-VALUE})")
    int width;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "S", description = "sampling seed (default ${DEFAULT-VALUE})")
    long seed;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (length < 1 || length > 1_000_000) throw new ParameterException(spec.commandLine(), "--length must be 1..1000000");
        if (!(temperature > 0) || temperature > 100) throw new ParameterException(spec.commandLine(), "--temperature must be in (0, 100]");
        if (width < 1 || width > 64) throw new ParameterException(spec.commandLine(), "--width must be 1..64");
        if (!method.equals("sample") && !method.equals("greedy") && !method.equals("beam"))
            throw new ParameterException(spec.commandLine(), "--method must be sample, greedy or beam, not '" + method + "'");
        if (start.isEmpty()) throw new ParameterException(spec.commandLine(), "--start must hold at least one character");
        String vocab, task;
        try (SafeTensors st = SafeTensors.openConfined(model)) {
            vocab = st.metadata().get("vocabulary");
            task = st.metadata().get("task");
        }
        if (vocab == null || !"chars".equals(task))
            throw VecrnnException.inFile(model, "is not a character model (no task=chars and vocabulary in its metadata); train one with vecrnn train --task chars");
        try (InferenceModel im = InferenceModel.load(model)) {
            if (im.n() != vocab.length() || im.k() != vocab.length())
                throw VecrnnException.inFile(model, "vocabulary of " + vocab.length() + " characters, but the model has n=" + im.n() + " k=" + im.k());
            int[] prime = new int[start.length()];
            for (int i = 0; i < prime.length; i++) {
                prime[i] = vocab.indexOf(start.charAt(i));
                if (prime[i] < 0) throw new ParameterException(spec.commandLine(), "--start holds '" + start.charAt(i) + "', which the model has never seen");
            }
            // from h = 0, where training starts every text stream, the start text but its last character sets h;
            // the last one is x_1 of the generation
            StreamState s = im.newStream();
            float[] x = new float[im.n()];
            TokenInput oneHot = TokenInput.oneHot();
            float[] h = Generator.prime(s, oneHot, new float[im.stateSize()], prime, x);
            Generator g = new Generator(s, oneHot, -1, length);
            int[] tokens = switch (method) {
                case "greedy" -> g.greedy(h, x);
                case "beam" -> g.beam(h, x, width);
                default -> g.sample(h, x, temperature, new SplittableRandom(seed));
            };
            StringBuilder text = new StringBuilder(start);
            for (int t : tokens) text.append(vocab.charAt(t));
            PrintWriter out = spec.commandLine().getOut();
            out.println(text);
            out.flush();
        }
        return 0;
    }
}
