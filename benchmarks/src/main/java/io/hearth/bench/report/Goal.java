package io.hearth.bench.report;

import java.util.List;

/** A goal the issue sets: value(id) ÷ value(baseline) at most, or at least, a factor. */
public record Goal(String id, String baseline, boolean atMost, double factor, String text) {
    /** The goals of the benchmarks issue, then those of the growth issue. */
    public static final List<Goal> ALL = List.of(
            new Goal("counter.increment.contended", "raw.mmap.getAndAdd.contended", true, 2,
                    "counter.increment.contended within 2× raw.mmap.getAndAdd.contended"),
            new Goal("map.get", "raw.chronicle.get", true, 1.3, "map.get within 1.3× raw.chronicle.get"),
            // 2× since issue 14 (1.5× before): an update runs its function outside every lock, so it is a read,
            // an encode and a locked compare-and-write where the floor is one locked rewrite.
            new Goal("map.update", "raw.chronicle.rmw", true, 2, "map.update within 2× raw.chronicle.rmw"),
            new Goal("map.get.grown", "map.get.presized", true, 1.5,
                    "map.get.grown within 1.5× map.get.presized (a million entries)"),
            new Goal("map.put.grown", "map.put.presized", true, 1.5,
                    "map.put.grown within 1.5× map.put.presized (a million entries)"),
            new Goal("map.get.ttl", "map.get", true, 1.1, "map.get.ttl within 1.1× map.get (an entry that expires)"),
            new Goal("map.put.ttl", "map.put", true, 1.1, "map.put.ttl within 1.1× map.put (an entry that expires)"),
            new Goal("redis.incr", "counter.increment.1proc", false, 50,
                    "redis.incr at least 50× slower than counter.increment.1proc"),
            new Goal("http.increment.rps", "http.constant.rps", false, 0.8,
                    "http.increment.rps at least 0.8× http.constant.rps"),
            // Issue 14: a GET of an object is the stored bytes, sent as they are.
            new Goal("http.object.rps", "http.constant.rps", false, 0.8,
                    "http.object.rps at least 0.8× http.constant.rps"));

    /** How a goal stands in one run. */
    public enum Verdict {
        /** The ratio holds the goal across both figures' error bars. */
        MET,
        /** The ratio fails the goal across both figures' error bars. */
        MISSED,
        /** The error bars reach both sides of the goal: this run cannot say. */
        NOT_RESOLVED
    }

    public boolean metBy(double ratio) {
        return atMost ? ratio <= factor : ratio >= factor;
    }

    /**
     * The verdict on figure ÷ baseline, judged at both ends of the range their error bars allow
     * (the smallest and the largest ratio they admit); a figure without an error counts as exact.
     */
    public Verdict verdict(Result figure, Result baseline) {
        double figureError = figure.error() == null ? 0 : figure.error();
        double baselineError = baseline.error() == null ? 0 : baseline.error();
        double lowest = Math.max(0, figure.value() - figureError) / (baseline.value() + baselineError);
        double highest = baseline.value() - baselineError <= 0 ? Double.POSITIVE_INFINITY
                : (figure.value() + figureError) / (baseline.value() - baselineError);
        boolean metAtLowest = metBy(lowest);
        boolean metAtHighest = metBy(highest);
        if (metAtLowest && metAtHighest) {
            return Verdict.MET;
        }
        return !metAtLowest && !metAtHighest ? Verdict.MISSED : Verdict.NOT_RESOLVED;
    }
}
