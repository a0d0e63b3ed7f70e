package io.hearth.bench.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.hearth.bench.Id;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.openjdk.jmh.util.ListStatistics;

/**
 * Turns one run's raw outputs (JMH's JSON, wrk's requests/s, what run.sh noted) into
 * benchmarks/results.json and BENCHMARKS.md. Run by run.sh; every argument is "--name value".
 */
public final class Report {
    /** The ids the benchmarks issue asks for, in its order, then the growth, expiry and read cache issues', then the peers' (issue 14). */
    public static final List<String> REQUIRED = java.util.stream.Stream.concat(java.util.stream.Stream.of(
            "counter.increment.1proc", "raw.mmap.getAndAdd.1proc",
            "counter.increment.contended", "raw.mmap.getAndAdd.contended",
            "map.get", "raw.chronicle.get", "map.put", "raw.chronicle.put",
            "map.update", "raw.chronicle.rmw", "map.update.contended", "raw.chronicle.rmw.contended",
            "visibility.pingpong", "raw.mmap.pingpong",
            "redis.incr", "redis.get", "redis.set",
            "http.increment.rps", "http.constant.rps",
            "map.get.grown", "map.get.presized", "map.put.grown", "map.put.presized",
            "map.get.ttl", "map.put.ttl", "sweep.examine.entry", "map.get.uncached",
            "lock.file", "lock.reentrant", "lock.redis", "redis.lock.setnx", "feed.roundtrip",
            "lock.failover.file", "lock.failover.redis", "http.object.rps"),
            Markdown.PEER_ROWS.stream().flatMap(row -> java.util.stream.Stream.of(row.lmdb(), row.sqlite()))).toList();
    /** The baseline of each HTTP id (wrk figures do not come from an annotated method). */
    static final Map<String, String> HTTP_BASELINES = Map.of("http.increment.rps", "http.constant.rps",
            "http.object.rps", "http.constant.rps");

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Report() {
    }

    public static void main(String[] args) throws IOException {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        JsonNode jmh = JSON.readTree(Path.of(required(options, "jmh")).toFile());
        List<Result> results = new ArrayList<>(fromJmh(jmh, Report::idOf));
        results.addAll(fromHttpSamples(lines(options.get("http"))));
        results.addAll(fromSamples(lines(options.get("failover")), Result.MICROS, Map.of()));
        Files.writeString(Path.of(required(options, "results")), JSON.writeValueAsString(results) + "\n", StandardCharsets.UTF_8);

        Markdown.Run run = new Markdown.Run(
                results,
                tabbed(lines(options.get("not-measured"))),
                lines(options.get("contention")),
                Files.readString(Path.of(required(options, "machine"))),
                required(options, "command"),
                options.getOrDefault("when", ""),
                settings(jmh),
                options.getOrDefault("plot", "benchmarks/latency.png"));
        Files.writeString(Path.of(required(options, "markdown")), Markdown.render(run), StandardCharsets.UTF_8);
    }

    /** One result per JMH benchmark, named by its {@link Id}. */
    static List<Result> fromJmh(JsonNode jmh, Function<String, Id> ids) {
        List<Result> results = new ArrayList<>();
        for (JsonNode run : jmh) {
            Id id = ids.apply(run.get("benchmark").asText());
            JsonNode metric = run.get("primaryMetric");
            double error = metric.get("scoreError").asDouble(Double.NaN); // "NaN" when there was one iteration
            results.add(new Result(id.value(), unit(metric.get("scoreUnit").asText()), metric.get("score").asDouble(),
                    Double.isNaN(error) ? null : error, id.baseline().isEmpty() ? null : id.baseline()));
        }
        return results;
    }

    /** Lines "id TAB requests/s", one per wrk round. */
    static List<Result> fromHttpSamples(List<String> lines) {
        return fromSamples(lines, Result.OPS_PER_S, HTTP_BASELINES);
    }

    /** Lines "id TAB sample" in unit: each id's mean and 99.9% half-width, as JMH computes them, with its baseline if any. */
    static List<Result> fromSamples(List<String> lines, String unit, Map<String, String> baselines) {
        Map<String, ListStatistics> samples = new LinkedHashMap<>();
        for (String line : lines) {
            String[] fields = line.split("\t");
            samples.computeIfAbsent(fields[0], k -> new ListStatistics()).addValue(Double.parseDouble(fields[1]));
        }
        List<Result> results = new ArrayList<>();
        samples.forEach((id, stats) -> {
            double error = stats.getN() > 1 ? stats.getMeanErrorAt(0.999) : Double.NaN;
            results.add(new Result(id, unit, stats.getMean(), Double.isNaN(error) ? null : error, baselines.get(id)));
        });
        return results;
    }

    static Id idOf(String benchmark) {
        int dot = benchmark.lastIndexOf('.');
        try {
            Class<?> type = Class.forName(benchmark.substring(0, dot));
            for (Method method : type.getMethods()) {
                if (method.getName().equals(benchmark.substring(dot + 1)) && method.isAnnotationPresent(Id.class)) {
                    return method.getAnnotation(Id.class);
                }
            }
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException("no benchmark class for " + benchmark, e);
        }
        throw new IllegalArgumentException("benchmark " + benchmark + " has no @Id");
    }

    private static String unit(String jmhUnit) {
        return switch (jmhUnit) {
            case "ns/op" -> Result.NS_PER_OP;
            case "ops/s" -> Result.OPS_PER_S;
            default -> throw new IllegalArgumentException("unexpected unit " + jmhUnit);
        };
    }

    /** The JMH settings every benchmark of the run shared, or "mixed" where they differ. */
    static String settings(JsonNode jmh) {
        Map<String, String> seen = new LinkedHashMap<>();
        for (JsonNode run : jmh) {
            String one = String.format(Locale.ROOT, "%s fork(s), %s warm-up iteration(s) of %s, %s measurement iteration(s) of %s",
                    run.path("forks").asText(), run.path("warmupIterations").asText(), run.path("warmupTime").asText(),
                    run.path("measurementIterations").asText(), run.path("measurementTime").asText());
            seen.put(one, one);
        }
        return seen.size() == 1 ? seen.keySet().iterator().next() : "mixed: " + String.join("; ", seen.keySet());
    }

    private static String required(Map<String, String> options, String name) {
        return Optional.ofNullable(options.get(name)).orElseThrow(() -> new IllegalArgumentException("--" + name + " is required"));
    }

    /** The file's non-blank lines; none when the option is absent or the file does not exist. */
    private static List<String> lines(String file) throws IOException {
        if (file == null || !Files.exists(Path.of(file))) {
            return List.of();
        }
        return Files.readAllLines(Path.of(file)).stream().filter(line -> !line.isBlank()).toList();
    }

    private static Map<String, String> tabbed(List<String> lines) {
        Map<String, String> map = new LinkedHashMap<>();
        for (String line : lines) {
            String[] fields = line.split("\t", 2);
            map.put(fields[0], fields.length > 1 ? fields[1] : "not measured");
        }
        return map;
    }

    /** A figure with about three significant digits, thousands grouped. */
    public static String number(double value) {
        double magnitude = Math.abs(value);
        String pattern = magnitude >= 100 ? "%,.0f" : magnitude >= 10 ? "%,.1f" : magnitude >= 1 ? "%,.2f" : "%,.3f";
        return String.format(Locale.ROOT, pattern, value);
    }
}
