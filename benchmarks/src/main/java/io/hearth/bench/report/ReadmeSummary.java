package io.hearth.bench.report;

import static io.hearth.bench.report.Report.number;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The README's performance table, made from the same run's results as BENCHMARKS.md and spliced
 * between two marker lines, so the README never quotes a figure by hand. benchmarks/run.sh runs it
 * after the report:
 * {@code ReadmeSummary RESULTS_JSON README COMMAND WHEN}.
 */
public final class ReadmeSummary {
    public static final String BEGIN = "<!-- performance table: made by benchmarks/run.sh from benchmarks/results.json; do not edit -->";
    public static final String END = "<!-- end of the performance table -->";

    /** One line of the table: what the operation is, its id, and what its baseline is. */
    record Row(String operation, String id, String baseline) {
    }

    static final List<Row> ROWS = List.of(
            new Row("counter increment, 1 process", "counter.increment.1proc", "VarHandle add on a shared mapping"),
            new Row("counter increment, another process contending", "counter.increment.contended", "the same floor, contended"),
            new Row("Redis `INCR` (Jedis, loopback)", "redis.incr", "Hearth's increment"),
            new Row("map `get` of a ~100-byte JSON object (read cache)", "map.get", "Chronicle Map `get` of the same bytes"),
            new Row("map `get`, read cache off (decodes JSON)", "map.get.uncached", "Chronicle Map `get`"),
            new Row("map `put`", "map.put", "Chronicle Map `put`"),
            new Row("map `update`", "map.update", "Chronicle read-modify-write"),
            new Row("map `update`, another process contending", "map.update.contended", "Chronicle read-modify-write, contended"),
            new Row("map `get` of an entry that expires", "map.get.ttl", "map `get`"),
            new Row("map `put` with a time to live", "map.put.ttl", "map `put`"),
            new Row("map `get` among a million entries, in a default store that grew to hold them", "map.get.grown",
                    "the same in a store made for them (`expectedEntries(1_100_000)`)"),
            new Row("map `put` (overwriting) among the million, grown", "map.put.grown", "the same, pre-sized"),
            new Row("HTTP `POST /increment`", "http.increment.rps", "`GET /livez` on the same workers (no store work)"),
            new Row("HTTP `GET /objects/{map}/{key}` of a 106-byte object", "http.object.rps", "`GET /livez` on the same workers"));

    private ReadmeSummary() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 4) {
            throw new IllegalArgumentException("usage: ReadmeSummary RESULTS_JSON README COMMAND WHEN, not " + List.of(args));
        }
        List<Result> results = new ObjectMapper().readValue(Path.of(args[0]).toFile(), new TypeReference<List<Result>>() { });
        Path readme = Path.of(args[1]);
        Files.writeString(readme, splice(Files.readString(readme), section(results, args[2], args[3])), StandardCharsets.UTF_8);
    }

    /** The table's lines, header included; a row whose id this run did not measure is left out. */
    static String table(List<Result> results) {
        Map<String, Result> byId = new LinkedHashMap<>();
        results.forEach(r -> byId.put(r.benchmark(), r));
        StringBuilder md = new StringBuilder("| operation | Hearth | baseline in the same run | ratio | goal |\n|---|---|---|---|---|\n");
        for (Row row : ROWS) {
            Result result = byId.get(row.id());
            if (result == null) {
                continue;
            }
            Result baseline = result.baseline() == null ? null : byId.get(result.baseline());
            Optional<Double> ratio = Markdown.ratio(byId, row.id(), result.baseline());
            md.append("| ").append(row.operation()).append(" | ").append(Markdown.figure(result)).append(' ').append(result.unit())
                    .append(" | ").append(row.baseline()).append(": ")
                    .append(baseline == null ? "not measured" : Markdown.figure(baseline) + " " + baseline.unit())
                    .append(" | ").append(ratio.map(r -> number(r) + "×").orElse("—"))
                    .append(" | ").append(goal(row.id(), result, baseline)).append(" |\n");
        }
        return md.toString();
    }

    /** The section between the markers: where the figures come from, then the table. */
    static String section(List<Result> results, String command, String when) {
        return BEGIN + "\nFrom one `" + command + "` run (" + when + ") on this machine; JMH, and `wrk` for HTTP, with the\n"
                + "settings and the machine in [BENCHMARKS.md](BENCHMARKS.md), which the same run made. Every figure is a mean ±\n"
                + "its 99.9% confidence half-width, beside a baseline measured in the same run; a goal is met or missed only\n"
                + "when both ends of the range the error bars allow agree, and is otherwise not resolved.\n\n"
                + table(results) + END;
    }

    /** The text with its section between the markers replaced; refuses a text without both markers. */
    static String splice(String readme, String section) {
        int begin = readme.indexOf(BEGIN);
        int end = readme.indexOf(END);
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException("the README has no performance table between the lines '" + BEGIN + "' and '" + END + "'");
        }
        return readme.substring(0, begin) + section + readme.substring(end + END.length());
    }

    private static String goal(String id, Result result, Result baseline) {
        for (Goal goal : Goal.ALL) {
            if (goal.id().equals(id) && baseline != null && goal.baseline().equals(baseline.benchmark())) {
                String bound = (goal.atMost() ? "within " : "at least ")
                        + java.math.BigDecimal.valueOf(goal.factor()).stripTrailingZeros().toPlainString() + "×";
                return bound + ": " + switch (goal.verdict(result, baseline)) {
                    case MET -> "**met**";
                    case MISSED -> "**missed**";
                    case NOT_RESOLVED -> "not resolved";
                };
            }
        }
        return "";
    }
}
