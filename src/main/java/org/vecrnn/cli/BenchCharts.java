package org.vecrnn.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.vecrnn.VecrnnException;
import org.vecrnn.io.FileKind;
import tools.jackson.core.JacksonException;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;

/**
 * {@code bench/run}'s tables as charts: JMH's JSON results ({@code -rf json}) drawn as one PNG per benchmark
 * method, beside the results file ({@code latest.txt} gives {@code latest-StreamBench.step.png}). The score
 * is plotted against the parameters that vary (e.g. the model size), one line per implementation (the
 * {@code impl} parameter); a benchmark whose only varying parameter is {@code impl} shows one point per
 * implementation, and values that are names rather than sizes get points without lines. A y axis whose
 * values span more than a factor of 20 is logarithmic.
 *
 * <pre>java -cp vecrnn-cli.jar org.vecrnn.cli.BenchCharts RESULTS.txt JMH.json...</pre>
 */
final class BenchCharts {
    /** The parameter that names the implementation: one line each. */
    static final String SERIES = "impl";

    /** One benchmark result: its method, parameters, score and unit. */
    record Result(String benchmark, String mode, Map<String, String> params, double score, String unit) {
        /** {@code StreamBench.step} of {@code org.vecrnn.bench.StreamBench.step}. */
        String shortName() {
            String[] parts = benchmark.split("\\.");
            return parts.length < 2 ? benchmark : parts[parts.length - 2] + "." + parts[parts.length - 1];
        }
    }

    private BenchCharts() {}

    public static void main(String[] args) {
        if (args.length < 2) {
            System.err.println("usage: BenchCharts RESULTS.txt JMH.json... (charts are written beside RESULTS.txt)");
            System.exit(2);
        }
        try {
            Path results = Path.of(args[0]);
            List<Result> all = new ArrayList<>();
            for (int i = 1; i < args.length; i++) all.addAll(read(Path.of(args[i])));
            for (Path png : write(all, results, header(results))) System.out.println("chart: " + png);
        } catch (VecrnnException e) {
            System.err.println("bench charts: " + e.getMessage());
            System.exit(1);
        }
    }

    /** The first line of the results file without its {@code #}: when and where the benchmarks ran. */
    static String header(Path results) {
        try {
            List<String> lines = Files.readAllLines(results);
            return lines.isEmpty() ? "" : lines.get(0).replaceFirst("^#\\s*", "");
        } catch (IOException e) {
            return "";
        }
    }

    /** The results in a JMH JSON file (an array of one object per benchmark and parameter set). */
    static List<Result> read(Path json) {
        FileKind.requireReadableFile(json);
        List<Result> out = new ArrayList<>();
        try (JsonParser p = JsonFactory.builder().build().createParser(ObjectReadContext.empty(), json.toFile())) {
            if (p.nextToken() != JsonToken.START_ARRAY) throw VecrnnException.inFile(json, "is not JMH's JSON output (no array)");
            while (p.nextToken() == JsonToken.START_OBJECT) out.add(result(json, p));
        } catch (JacksonException e) {
            throw VecrnnException.inFile(json, "is not JMH's JSON output: " + e.getOriginalMessage());
        }
        return out;
    }

    private static Result result(Path json, JsonParser p) {
        String benchmark = null, mode = "", unit = null;
        Map<String, String> params = new LinkedHashMap<>();
        double score = Double.NaN;
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            switch (field) {
                case "benchmark" -> benchmark = p.getString();
                case "mode" -> mode = p.getString();
                case "params" -> {
                    while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                        String name = p.currentName();
                        p.nextToken();
                        params.put(name, p.getString());
                    }
                }
                case "primaryMetric" -> {
                    while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                        String name = p.currentName();
                        JsonToken t = p.nextToken();
                        if (name.equals("score")) score = t == JsonToken.VALUE_STRING ? Double.NaN : p.getDoubleValue();
                        else if (name.equals("scoreUnit")) unit = p.getString();
                        else p.skipChildren();
                    }
                }
                default -> {
                    if (v == JsonToken.START_OBJECT || v == JsonToken.START_ARRAY) p.skipChildren();
                }
            }
        }
        if (benchmark == null || unit == null) throw VecrnnException.inFile(json, "holds a result without a benchmark name or a score unit");
        return new Result(benchmark, mode, params, score, unit);
    }

    /** One chart per benchmark method, named after the results file; returns the files written. */
    static List<Path> write(List<Result> results, Path resultsFile, String header) {
        LineChart.checkAvailable();
        Map<String, List<Result>> byMethod = new LinkedHashMap<>();
        for (Result r : results) byMethod.computeIfAbsent(r.shortName(), m -> new ArrayList<>()).add(r);
        String base = resultsFile.getFileName().toString().replaceFirst("\\.[^.]*$", "");
        List<Path> written = new ArrayList<>();
        for (Map.Entry<String, List<Result>> e : byMethod.entrySet()) {
            Path png = resultsFile.resolveSibling(base + "-" + e.getKey() + ".png");
            chart(e.getKey(), e.getValue(), header).write(png);
            written.add(png);
        }
        return written;
    }

    /** The chart of one method's results. */
    static LineChart chart(String method, List<Result> rs, String header) {
        // the parameters whose values differ between results, in JMH's order, make the x axis
        List<String> varying = new ArrayList<>();
        for (String name : rs.get(0).params().keySet())
            if (!name.equals(SERIES) && rs.stream().map(r -> r.params().get(name)).distinct().count() > 1) varying.add(name);
        boolean byImplOnly = varying.isEmpty();
        Set<String> xs = new LinkedHashSet<>();
        for (Result r : rs) xs.add(byImplOnly ? series(r) : xLabel(r, varying));
        List<String> x = List.copyOf(xs);
        String unit = rs.get(0).unit();
        String xName = byImplOnly ? SERIES : String.join(", ", varying);
        String what = switch (rs.get(0).mode()) {
            case "thrpt" -> "throughput, higher is better";
            case "avgt" -> "average time, lower is better";
            case "sample" -> "sampled time, lower is better";
            case "ss" -> "single-shot time, lower is better";
            default -> rs.get(0).mode();
        };
        LineChart c = new LineChart(method, "JMH " + what + (header.isEmpty() ? "" : "; " + header), xName, unit)
                .categoriesX(x.toArray(String[]::new));
        // sizes and counts are a sequence worth a line; names (implementations, functions) are not
        if (!x.stream().allMatch(v -> !v.isEmpty() && Character.isDigit(v.charAt(0)))) c.pointsOnly();
        double min = Double.POSITIVE_INFINITY, max = 0;
        for (Result r : rs) {
            String line = byImplOnly ? method : series(r);
            c.add(line, x.indexOf(byImplOnly ? series(r) : xLabel(r, varying)), r.score());
            if (r.score() > 0) {
                min = Math.min(min, r.score());
                max = Math.max(max, r.score());
            }
        }
        if (max / min > 20) c.logY();
        else c.zeroBased();
        return c;
    }

    private static String series(Result r) {
        return r.params().getOrDefault(SERIES, r.shortName());
    }

    private static String xLabel(Result r, List<String> varying) {
        List<String> parts = new ArrayList<>();
        for (String name : varying) parts.add(varying.size() == 1 ? r.params().get(name) : name + "=" + r.params().get(name));
        return String.join(", ", parts);
    }
}
