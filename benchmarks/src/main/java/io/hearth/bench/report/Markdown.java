package io.hearth.bench.report;

import static io.hearth.bench.report.Report.number;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** BENCHMARKS.md, made from one run's results only, so it never shows a figure the run did not measure. */
public final class Markdown {
    private Markdown() {
    }

    /**
     * One run.
     *
     * @param notMeasured id to the reason run.sh gave for not measuring it
     * @param contention  lines "id TAB other process's operations TAB seconds" from the contended trials
     */
    public record Run(List<Result> results, Map<String, String> notMeasured, List<String> contention, String machine,
                      String command, String when, String settings, String plot) {
    }

    public static String render(Run run) {
        Map<String, Result> byId = new LinkedHashMap<>();
        run.results().forEach(r -> byId.put(r.benchmark(), r));
        StringBuilder md = new StringBuilder();
        md.append("# Hearth benchmarks\n\n")
                .append("Made by `benchmarks/run.sh` from `benchmarks/results.json`; do not edit by hand.\n\n")
                .append("- Command: `").append(run.command()).append('`').append(run.when().isEmpty() ? "" : ", run " + run.when()).append('\n')
                .append("- JMH settings: ").append(run.settings()).append(" per benchmark, average time, fail on error\n")
                .append("- Each figure is a mean ± its 99.9% confidence half-width (JMH's score error; for wrk, the same statistic over rounds).\n")
                .append("  A ratio is the figure ÷ its baseline's figure, both measured in this run on this machine, which is shared and noisy:\n")
                .append("  compare ratios, not figures from different runs.\n\n");

        goals(md, byId);
        md.append("## Hearth against its floors\n\n")
                .append("The floors: `raw.mmap.*` is a `VarHandle` atomic on a `MappedByteBuffer` of a file that a second process maps too;\n")
                .append("`raw.chronicle.*` is Chronicle Map (`ChronicleMap<String, byte[]>`) used directly, with the same key and a `byte[]` as long as Hearth's JSON.\n")
                .append("`map.get` is served from the read cache (the store proves the entry unchanged on every call); `map.get.uncached` is the same\n")
                .append("get in a store opened with `readCacheBytes(0)`, which reads and decodes the JSON every time, as a changed entry does.\n\n");
        table(md, byId, run.notMeasured(), "Hearth", List.of(
                "counter.increment.1proc", "counter.increment.contended", "map.get", "map.get.uncached", "map.put", "map.update",
                "map.update.contended", "visibility.pingpong"));
        peers(md, byId);
        md.append("## Redis against Hearth\n\n")
                .append("Jedis, one plain connection, to a local `redis-server` on loopback with no persistence; `redis.get` and `redis.set`\n")
                .append("include the Jackson decode and encode, as `map.get` and `map.put` do. The ratio is Redis ÷ Hearth: how many times slower Redis is.\n\n");
        table(md, byId, run.notMeasured(), "Redis", List.of("redis.incr", "redis.get", "redis.set"));
        md.append("## HTTP\n\n")
                .append("Requests/s from `wrk` on 127.0.0.1 against the `http` module's workers (`run-workers.sh`): `POST /increment` against a route\n")
                .append("that does no store work, answered by the same workers, and `GET /objects/bench/k` of a 106-byte object (the stored bytes, from\n")
                .append("the worker's read cache). The ratio is each ÷ constant.\n\n");
        table(md, byId, run.notMeasured(), "Hearth", List.of("http.increment.rps", "http.object.rps"));
        md.append("## A store that grew\n\n")
                .append("A million entries of 111 bytes of JSON, written in setup: `*.grown` into a default store (`SharedStore.open(path)`),\n")
                .append("which grew a shard at a time as they were written; `*.presized` into one made for them (`expectedEntries(1_100_000)`).\n")
                .append("Each call takes the next key of the million (a fixed stride apart); put overwrites, so nothing grows while measured.\n")
                .append("The pre-sized figures' baseline is the one-entry `map.get`/`map.put` above: what a million entries cost by themselves.\n\n");
        table(md, byId, run.notMeasured(), "Hearth", List.of("map.get.grown", "map.put.grown", "map.get.presized", "map.put.presized"));
        md.append("## Expiry\n\n")
                .append("`map.get.ttl` and `map.put.ttl` are `map.get` and `map.put` on the same entry written with a time to live of an hour\n")
                .append("(the store's sweep running, finding nothing to remove). `sweep.examine.entry` is what the sweep costs per entry it\n")
                .append("examines: a lap over every segment of a default store of 100,000 entries that expire in an hour, divided by 100,000.\n\n");
        table(md, byId, run.notMeasured(), "Hearth", List.of("map.get.ttl", "map.put.ttl", "sweep.examine.entry"));
        md.append("## Locks, leadership and the change feed\n\n")
                .append("An uncontended `lock()` and `unlock()` of a `SharedLock`, one thread: on the file store against a `ReentrantLock` in one process,\n")
                .append("on Redis (a lease) against the lock written by hand on Redis, `SET key token NX PX` and a compare-and-delete script, through Jedis.\n")
                .append("`feed.roundtrip`: a `put` in this process, delivered by `SharedMap.watch` to a listener in another process, which sets a counter\n")
                .append("this process spins on; its baseline is that counter's trip alone. `lock.failover.*`: from SIGKILL of a leader to the next\n")
                .append("candidate's `gained()`, three candidate JVMs, sampled per kill outside JMH (Redis: a lease of 1 s).\n\n");
        table(md, byId, run.notMeasured(), "Hearth", List.of("lock.file", "lock.redis", "feed.roundtrip", "lock.failover.file",
                "lock.failover.redis"));
        breakdown(md, byId);
        contention(md, run.contention(), byId);
        notMeasured(md, byId, run.notMeasured());
        md.append("## Latency per operation\n\n")
                .append("![Latency per operation: Hearth, its floors and Redis (log scale)](").append(run.plot()).append(")\n\n");
        md.append("## Machine\n\n```\n").append(run.machine().strip()).append("\n```\n");
        return md.toString();
    }

    private static void goals(StringBuilder md, Map<String, Result> byId) {
        md.append("## Goals\n\n| goal | figure | ratio | verdict |\n|---|---|---|---|\n");
        StringBuilder limits = new StringBuilder();
        for (Goal goal : Goal.ALL) {
            Optional<Double> ratio = ratio(byId, goal.id(), goal.baseline());
            Goal.Verdict judged = ratio.isPresent() ? goal.verdict(byId.get(goal.id()), byId.get(goal.baseline())) : null;
            String verdict = judged == null ? "not measured" : switch (judged) {
                case MET -> "met";
                case MISSED -> "**missed**";
                case NOT_RESOLVED -> "not resolved (the error bars reach both sides of the goal)";
            };
            md.append("| ").append(goal.text()).append(" | ")
                    .append(ratio.isPresent() ? figure(byId.get(goal.id())) + " vs " + figure(byId.get(goal.baseline())) + " " + byId.get(goal.id()).unit() : "—")
                    .append(" | ").append(ratio.map(r -> number(r) + "×").orElse("—")).append(" | ").append(verdict).append(" |\n");
            if (judged == Goal.Verdict.MISSED) {
                limits.append("- **").append(goal.text()).append(": missed, at ").append(number(ratio.get())).append("×.** ")
                        .append(Limits.explain(goal, byId)).append("\n");
            }
        }
        md.append('\n');
        if (!limits.isEmpty()) {
            md.append("### What limits the missed goals\n\n").append(limits).append('\n');
        }
    }

    private static void table(StringBuilder md, Map<String, Result> byId, Map<String, String> notMeasured, String who, List<String> ids) {
        md.append("| id | ").append(who).append(" | baseline | baseline figure | ratio | unit |\n|---|---|---|---|---|---|\n");
        for (String id : ids) {
            Result result = byId.get(id);
            if (result == null) {
                md.append("| ").append(id).append(" | not measured | | | | |\n");
                continue;
            }
            Result baseline = result.baseline() == null ? null : byId.get(result.baseline());
            md.append("| ").append(id).append(" | ").append(figure(result)).append(" | ")
                    .append(result.baseline() == null ? "—" : result.baseline()).append(" | ")
                    .append(baseline == null ? "not measured" : figure(baseline)).append(" | ")
                    .append(ratio(byId, id, result.baseline()).map(r -> number(r) + "×").orElse("—")).append(" | ")
                    .append(result.unit()).append(" |\n");
        }
        md.append('\n');
    }

    /** One line of the peers' table: an operation, Hearth's id for it, then LMDB's and SQLite's (whose baseline it is). */
    record PeerRow(String operation, String hearth, String lmdb, String sqlite) {
    }

    static final List<PeerRow> PEER_ROWS = List.of(
            new PeerRow("get", "map.get", "lmdb.get", "sqlite.get"),
            new PeerRow("put", "map.put", "lmdb.put", "sqlite.put"),
            new PeerRow("update", "map.update", "lmdb.update", "sqlite.update"),
            new PeerRow("counter increment", "counter.increment.1proc", "lmdb.counter.increment", "sqlite.counter.increment"),
            new PeerRow("update, contended", "map.update.contended", "lmdb.update.contended", "sqlite.update.contended"),
            new PeerRow("counter increment, contended", "counter.increment.contended", "lmdb.counter.increment.contended",
                    "sqlite.counter.increment.contended"));

    /** Whether the id is one of the peers' (LMDB's or SQLite's), not Hearth's. */
    static boolean isPeer(String id) {
        return PEER_ROWS.stream().anyMatch(row -> row.lmdb().equals(id) || row.sqlite().equals(id));
    }

    private static void peers(StringBuilder md, Map<String, Result> byId) {
        Result uncached = byId.get("map.get.uncached");
        md.append("## Hearth against what you would pick instead\n\n")
                .append("LMDB through LmdbJava and SQLite through sqlite-jdbc (their versions are in `benchmarks/pom.xml`), in the same run as Hearth,\n")
                .append("on the same ~100-byte object with the same Jackson mapper (`PeerBenchmarks`). LMDB: one write transaction per write,\n")
                .append("committed with `MDB_NOSYNC` (no fsync; Hearth does none either), one read transaction per get. SQLite: `journal_mode=WAL`,\n")
                .append("`synchronous=OFF` (no fsync either), tables `objects (k TEXT PRIMARY KEY, v BLOB)` and `counters (k TEXT PRIMARY KEY, n INTEGER)`,\n")
                .append("prepared statements reused, update and increment in one `BEGIN IMMEDIATE` transaction. A get reads the bytes and decodes them\n")
                .append("(Hearth's `map.get` is served from its read cache; `map.get.uncached`, which decodes, ")
                .append(uncached == null ? "is not measured in this run" : "is " + figure(uncached) + " " + uncached.unit())
                .append(");\na put encodes and writes; an update reads, decodes, changes a field, encodes and writes, in one transaction; a counter\n")
                .append("increment reads a long, adds one and writes it, in one transaction (Hearth's is an atomic add on the mapped file).\n")
                .append("Contended: another JVM does the same operation on the same store as fast as it can (its rate is under the contending\n")
                .append("processes below). Each side of a contended benchmark first runs its operation alone for 2 s, the benchmark's JVM and then\n")
                .append("the helper, so that both are compiled before they contend for the two cores (`Trial.ALONE_WARM_UP`). The peers' ids are `lmdb.*` and `sqlite.*` after Hearth's; a ratio is the peer ÷ Hearth: how many times slower the peer is.\n\n")
                .append("| operation | Hearth | LMDB | SQLite | LMDB ÷ Hearth | SQLite ÷ Hearth | unit |\n|---|---|---|---|---|---|---|\n");
        for (PeerRow row : PEER_ROWS) {
            Result hearth = byId.get(row.hearth());
            String unit = java.util.stream.Stream.of(row.hearth(), row.lmdb(), row.sqlite()).map(byId::get)
                    .filter(java.util.Objects::nonNull).map(Result::unit).findFirst().orElse("");
            md.append("| ").append(row.operation()).append(" (`").append(row.hearth()).append("`) | ")
                    .append(hearth == null ? "not measured" : figure(hearth)).append(" | ")
                    .append(cell(byId.get(row.lmdb()))).append(" | ").append(cell(byId.get(row.sqlite()))).append(" | ")
                    .append(ratio(byId, row.lmdb(), row.hearth()).map(r -> number(r) + "×").orElse("—")).append(" | ")
                    .append(ratio(byId, row.sqlite(), row.hearth()).map(r -> number(r) + "×").orElse("—")).append(" | ")
                    .append(unit).append(" |\n");
        }
        md.append("\n![Latency per operation: Hearth, LMDB and SQLite (log scale)](benchmarks/peers.png)\n\n");
    }

    private static String cell(Result result) {
        return result == null ? "not measured" : figure(result);
    }

    private static void breakdown(StringBuilder md, Map<String, Result> byId) {
        List<Result> others = byId.values().stream().filter(r -> !Report.REQUIRED.contains(r.benchmark())).toList();
        if (others.isEmpty()) {
            return;
        }
        md.append("## Where the time goes\n\nMeasured in the same run to explain the ratios above: Jackson alone on the same ~100-byte object.\n")
                .append("`json.decode` and `json.encode` use the mapper a store uses by default, called per value; `*.reader` and `*.writer` an\n")
                .append("`ObjectReader`/`ObjectWriter` made once per type, as `SharedMap` does; `*.blackbird` the same with Jackson's Blackbird module.\n\n")
                .append("| id | figure | baseline | ratio | unit |\n|---|---|---|---|---|\n");
        others.forEach(r -> md.append("| ").append(r.benchmark()).append(" | ").append(figure(r)).append(" | ")
                .append(r.baseline() == null ? "—" : r.baseline()).append(" | ")
                .append(ratio(byId, r.benchmark(), r.baseline()).map(x -> number(x) + "×").orElse("—")).append(" | ")
                .append(r.unit()).append(" |\n"));
        md.append('\n');
    }

    /** A contended floor is a floor only when its helper did as much as Hearth's; beyond this they did different work. */
    static final double EQUAL_LOAD_TOLERANCE = 0.10;

    private static void contention(StringBuilder md, List<String> lines, Map<String, Result> byId) {
        if (lines.isEmpty()) {
            return;
        }
        Map<String, Double> rates = new LinkedHashMap<>();
        md.append("## The contending processes\n\nWhat the helper JVM of each contended benchmark did over its trial (warm-up and measurement, not its 2 s alone),\n")
                .append("so a contended figure is known to have had real contention.\n\n| benchmark | its operations | seconds | per second |\n|---|---|---|---|\n");
        for (String line : lines) {
            String[] f = line.split("\t");
            double ops = Double.parseDouble(f[1]);
            double seconds = Double.parseDouble(f[2]);
            rates.put(f[0], ops / seconds);
            md.append("| ").append(f[0]).append(" | ").append(number(ops)).append(" | ").append(number(seconds))
                    .append(" | ").append(number(ops / seconds)).append(" |\n");
        }
        md.append('\n');
        StringBuilder unequal = new StringBuilder();
        for (Map.Entry<String, Double> hearth : rates.entrySet()) {
            Result result = byId.get(hearth.getKey());
            Double baselineRate = result == null || result.baseline() == null ? null : rates.get(result.baseline());
            if (baselineRate == null || hearth.getValue() <= 0) {
                continue;
            }
            double load = baselineRate / hearth.getValue();
            if (isPeer(hearth.getKey())) {
                unequal.append("- `").append(hearth.getKey()).append("` against `").append(result.baseline())
                        .append("`: Hearth's helper did ").append(number(load)).append("× the operations of this one's (")
                        .append(number(baselineRate)).append(" against ").append(number(hearth.getValue()))
                        .append(" per second): each helper did as much as its store let it, so the two figures are under different loads.\n");
            } else if (Math.abs(load - 1) > EQUAL_LOAD_TOLERANCE) {
                unequal.append("- `").append(hearth.getKey()).append("` against `").append(result.baseline())
                        .append("`: not an equal-load floor. The baseline's helper did ").append(number(load))
                        .append("× the operations of Hearth's (").append(number(baselineRate)).append(" against ")
                        .append(number(hearth.getValue())).append(" per second), so the ratio compares two different loads.\n");
            } else {
                unequal.append("- `").append(hearth.getKey()).append("` against `").append(result.baseline())
                        .append("`: an equal-load floor, its helper within ").append(number(100 * EQUAL_LOAD_TOLERANCE))
                        .append("% of Hearth's (").append(number(baselineRate)).append(" against ")
                        .append(number(hearth.getValue())).append(" per second).\n");
            }
        }
        if (!unequal.isEmpty()) {
            md.append("Each contended ratio, checked for equal load (the two helpers' rates within ")
                    .append(number(100 * EQUAL_LOAD_TOLERANCE)).append("% of each other):\n\n").append(unequal).append('\n');
        }
    }

    private static void notMeasured(StringBuilder md, Map<String, Result> byId, Map<String, String> reasons) {
        List<String> missing = Report.REQUIRED.stream().filter(id -> !byId.containsKey(id)).toList();
        if (missing.isEmpty()) {
            return;
        }
        md.append("## Not measured\n\nThese ids have no figure in this run, and none is made up for them:\n\n");
        missing.forEach(id -> md.append("- `").append(id).append("`: ").append(reasons.getOrDefault(id, "not measured")).append('\n'));
        md.append('\n');
    }

    static Optional<Double> ratio(Map<String, Result> byId, String id, String baseline) {
        Result a = byId.get(id);
        Result b = baseline == null ? null : byId.get(baseline);
        return a == null || b == null || b.value() == 0 ? Optional.empty() : Optional.of(a.value() / b.value());
    }

    static String figure(Result result) {
        return number(result.value()) + (result.error() == null ? "" : " ± " + number(result.error()));
    }
}
