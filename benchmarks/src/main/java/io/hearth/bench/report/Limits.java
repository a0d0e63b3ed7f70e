package io.hearth.bench.report;

import static io.hearth.bench.report.Report.number;

import java.util.Map;

/**
 * Why a goal was missed, in figures of the same run. Each sentence rests on the code path of the
 * Hearth call (read in core) and on the breakdown benchmarks; see the notes in benchmarks/README.md.
 */
final class Limits {
    private Limits() {
    }

    static String explain(Goal goal, Map<String, Result> byId) {
        return switch (goal.id()) {
            case "map.get" -> mapGet(byId);
            case "map.update" -> mapUpdate(byId);
            case "map.get.grown", "map.put.grown" -> grown(goal, byId);
            case "counter.increment.contended" -> counterContended(byId);
            case "redis.incr" -> "Redis answered faster than the goal expects relative to Hearth's counter; "
                    + "see the two figures in the table above.";
            case "http.increment.rps" -> httpIncrement(byId);
            default -> "";
        };
    }

    private static String mapGet(Map<String, Result> byId) {
        double raw = value(byId, "raw.chronicle.get");
        double decode = value(byId, "json.decode");
        double slack = 0.3 * raw;
        if (Double.isNaN(decode)) {
            return "`SharedMap.get` is Chronicle's `get` plus a Jackson decode of the value (json.decode was not measured).";
        }
        return "`SharedMap.get` is Chronicle's `get` (" + number(raw) + " ns here) plus a Jackson decode of the JSON into the "
                + "caller's type, plus Hearth's own steps (`EntryStore.get` in module file): the key check (a count of UTF-8 bytes), "
                + "the composite key string, the shard the routing word sends the key to, a compare-and-set on the key's lock stripe, "
                + "Chronicle's update lock instead of its read lock and a hash of the entry to verify its checksum, then a copy of the "
                + "JSON out of the mapping. The goal leaves "
                + number(slack) + " ns for all of that; the decode alone takes " + number(decode) + " ns (`json.decode`, "
                + number(decode / slack) + "× that allowance). A get that decodes JSON on every call cannot meet this goal; "
                + "only one that skips the decode (a cache of decoded values by version, or a get of the raw JSON) can.";
    }

    private static String mapUpdate(Map<String, Result> byId) {
        double raw = value(byId, "raw.chronicle.rmw");
        double decode = value(byId, "json.decode");
        double encode = value(byId, "json.encode");
        double slack = 0.5 * raw;
        if (Double.isNaN(decode) || Double.isNaN(encode)) {
            return "`SharedMap.update` is a get, a decode, the function, an encode and a locked compare-and-write.";
        }
        return "`SharedMap.update` is a whole get (a Chronicle lookup and a Jackson decode), the function, a Jackson encode and a "
                + "second Chronicle lookup that takes the update lock to compare the version and write; the floor is one locked lookup "
                + "that rewrites bytes (" + number(raw) + " ns here). The goal leaves " + number(slack) + " ns for the difference; "
                + "decode and encode alone take " + number(decode + encode) + " ns (`json.decode` + `json.encode`, "
                + number((decode + encode) / slack) + "× that allowance). The second lookup is the price of running the function "
                + "outside the lock, so that a slow function never holds up another process.";
    }

    private static String grown(Goal goal, Map<String, Result> byId) {
        return "Both stores hold the same million entries and are called in the same order; what differs is their shape: the grown "
                + "one spreads them over more, smaller shards (65,536 entries each, one Chronicle Map file apiece) than the pre-sized one "
                + "(eight of 262,144), and its shards are as full as growth left them. This run does not tell which of those costs the "
                + "difference. The pre-sized figure is " + ratioText(byId, goal.baseline(), goal.baseline().replace(".presized", ""))
                + " the one-entry `" + goal.baseline().replace(".presized", "") + "`: that much of either is the million itself.";
    }

    private static String counterContended(Map<String, Result> byId) {
        return "Hearth's increment is the same atomic add on the same kind of mapping as the floor, plus an open-check "
                + "(`SharedCounter.getAndAdd` reads `SharedStore.closed`); alone it is " + ratioText(byId, "counter.increment.1proc",
                "raw.mmap.getAndAdd.1proc") + " its floor. Under contention the time is set by how often the cache line moves between "
                + "the two processes, which on a shared 2-core machine follows the scheduler: compare the contending processes' rates below.";
    }

    private static String httpIncrement(Map<String, Result> byId) {
        double rps = value(byId, "http.increment.rps");
        double constant = value(byId, "http.constant.rps");
        double perRequest = 1e9 / rps - 1e9 / constant;
        return "Each `POST /increment` costs the machine about " + number(perRequest / 1000) + " µs more than a request to the no-store "
                + "route (1/rps − 1/rps), while the store's increment itself is " + ns(byId, "counter.increment.1proc")
                + " (`counter.increment.1proc`): the difference is spent in the http module's handling of the route, not in the store.";
    }

    private static String ratioText(Map<String, Result> byId, String id, String baseline) {
        return Markdown.ratio(byId, id, baseline).map(r -> number(r) + "×").orElse("not measured against");
    }

    private static String ns(Map<String, Result> byId, String id) {
        return Double.isNaN(value(byId, id)) ? "not measured" : number(value(byId, id)) + " ns";
    }

    private static double value(Map<String, Result> byId, String id) {
        Result result = byId.get(id);
        return result == null ? Double.NaN : result.value();
    }
}
