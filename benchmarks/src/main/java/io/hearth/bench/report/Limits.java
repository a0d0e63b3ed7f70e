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
            case "map.get.ttl" -> "Both gets are read cache hits; a hit on an entry that expires also reads the clock "
                    + "(`System.currentTimeMillis`) to be sure its deadline has not come, which one that never expires skips. "
                    + "That read is most of the difference: against a get that decodes JSON (`map.get.uncached`) it would be lost in the noise.";
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
        double uncached = value(byId, "map.get.uncached");
        return "`SharedMap.get` of an unchanged entry is served from the read cache once the store's change stamp (one read of "
                + "the mapped header) proves nothing changed: a key check, a Caffeine look-up and that read, no Chronicle call. "
                + "When another write anywhere in the store moved the stamp, the read looks the entry's version up under its "
                + "lock (about one Chronicle `get`, " + number(raw) + " ns here); a changed entry is read and decoded as without "
                + "the cache (`map.get.uncached`, " + number(uncached) + " ns here).";
    }

    private static String mapUpdate(Map<String, Result> byId) {
        double raw = value(byId, "raw.chronicle.rmw");
        double encode = value(byId, "json.encode");
        double slack = raw;
        if (Double.isNaN(encode)) {
            return "`SharedMap.update` is a read (from the read cache), the function, an encode and a locked compare-and-write.";
        }
        return "`SharedMap.update` is a read (from the read cache when the entry is unchanged: no decode), the function, a "
                + "Jackson encode and a Chronicle lookup that takes the update lock to compare the version and write; the floor is "
                + "one locked lookup that rewrites bytes (" + number(raw) + " ns here). The goal leaves " + number(slack)
                + " ns for the difference; the encode alone takes " + number(encode) + " ns (`json.encode`). The compare-and-write "
                + "is the price of running the function outside the lock, so that a slow function never holds up another process.";
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
