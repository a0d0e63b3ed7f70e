package io.hearth.bench;

import io.hearth.testkit.ChildJvm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How long one growth step holds up a reader in another process: a writer JVM grows a default
 * store to each target (100,000 and 10,000,000 entries unless told), while a reader JVM gets random
 * keys among those written, timing every call ({@link GrowthPauseChild}). Reports the reader's
 * slowest call and where its calls fell, the duration of every split (as {@code ShardSplit} logs
 * it in the writer) and the writer's slowest put. Not a JMH benchmark.
 *
 * <pre>
 *   java -cp benchmarks/target/benchmarks.jar io.hearth.bench.GrowthPause [--entries 100000,10000000]
 *       [--dir benchmarks/tmp] [--minutes 15] [--out FILE]
 * </pre>
 *
 * A target's writer stops at {@code --minutes} and reports what it reached. Each store is made in
 * a fresh directory under {@code --dir} and deleted afterwards; a target is refused when the file
 * system there has less free than 1.5 KB per entry (10 million: 15 GB).
 */
public final class GrowthPause {
    /** What a target needs free, per entry: a grown default store took about 650 bytes on disk per entry; over twice that. */
    static final long FREE_BYTES_PER_ENTRY = 1_500;

    private GrowthPause() {
    }

    record Split(int shards, long moved, long millis, long endEpochMillis) {
    }

    record Slow(long nanos, long startEpochMillis) {
    }

    record Outcome(long target, long reached, double seconds, List<Split> splits, long worstPutNanos, long calls, long missing,
                   long over10ms, long[] histogram, List<Slow> slowest) {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        long[] targets = Arrays.stream(options.getOrDefault("entries", "100000,10000000").split(",")).mapToLong(Long::parseLong).toArray();
        long minutes = Long.parseLong(options.getOrDefault("minutes", "15"));
        Path base = Path.of(options.getOrDefault("dir", "benchmarks/tmp")).toAbsolutePath();
        System.setProperty("hearth.bench.dir", base.toString());
        String loadBefore = Footprint.loadAverage();
        Instant when = Instant.now().truncatedTo(ChronoUnit.MINUTES);
        List<Outcome> outcomes = new ArrayList<>();
        for (long target : targets) {
            Files.createDirectories(base);
            long free = Files.getFileStore(base).getUsableSpace();
            if (free < target * FREE_BYTES_PER_ENTRY) {
                throw new IllegalStateException("not growing a store to " + target + " entries under " + base + ": "
                        + free / 1_000_000 + " MB free, it needs " + target * FREE_BYTES_PER_ENTRY / 1_000_000 + " MB");
            }
            Path dir = Dirs.fresh("growth-pause");
            try {
                outcomes.add(grow(dir.resolve("store.store"), target, minutes));
            } finally {
                Dirs.delete(dir);
            }
        }
        String md = markdown(outcomes, when, loadBefore, Footprint.loadAverage(), String.join(" ", args), minutes);
        System.out.print(md);
        if (options.containsKey("out")) {
            Files.writeString(Path.of(options.get("out")), md, StandardCharsets.UTF_8);
        }
    }

    private static Outcome grow(Path path, long target, long minutes) throws IOException {
        System.err.printf("[growth-pause] growing a default store to %,d entries (at most %d min) while another JVM reads%n", target, minutes);
        try (ChildJvm writer = child("writer", path.toString(), Long.toString(target), Long.toString(minutes * 60));
             ChildJvm reader = startReader(writer, path)) {
            writer.send("go");
            String reached = writer.awaitLine("reached ", Duration.ofMinutes(minutes + 10));
            long worstPut = Long.parseLong(writer.awaitLine("worst-put ", Duration.ofMinutes(1)));
            List<Split> splits = new ArrayList<>();
            for (String line : writer.linesSeen()) {
                if (line.startsWith("split ")) {
                    String[] f = line.split(" ");
                    splits.add(new Split(Integer.parseInt(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]), Long.parseLong(f[4])));
                }
            }
            reader.send("stop");
            String[] calls = reader.awaitLine("calls ", Duration.ofMinutes(1)).split(" ");
            long[] histogram = Arrays.stream(reader.awaitLine("histogram", Duration.ofMinutes(1)).split(" "))
                    .mapToLong(Long::parseLong).toArray();
            reader.awaitLine("end", Duration.ofMinutes(1));
            reader.awaitExit(Duration.ofMinutes(1));
            List<Slow> slowest = reader.linesSeen().stream().filter(l -> l.startsWith("slow ")).map(l -> l.split(" "))
                    .map(f -> new Slow(Long.parseLong(f[1]), Long.parseLong(f[2]))).toList();
            String[] r = reached.split(" ");
            return new Outcome(target, Long.parseLong(r[0]), Double.parseDouble(r[1]), splits, worstPut, Long.parseLong(calls[0]),
                    Long.parseLong(calls[1]), Long.parseLong(calls[2]), histogram, slowest);
        }
    }

    private static ChildJvm startReader(ChildJvm writer, Path path) {
        writer.awaitLine("ready", Duration.ofMinutes(2));
        ChildJvm reader = child("reader", path.toString());
        try {
            reader.awaitLine("reading", Duration.ofMinutes(2)); // after its untimed warm-up
            return reader;
        } catch (AssertionError e) {
            reader.close();
            throw e;
        }
    }

    private static ChildJvm child(String... args) {
        return ChildJvm.builder(GrowthPauseChild.class).args(args)
                .systemProperty("chronicle.analytics.disable", "true")
                .systemProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn").start();
    }

    static String markdown(List<Outcome> outcomes, Instant when, String loadBefore, String loadAfter, String args, long minutes) {
        StringBuilder md = new StringBuilder("# How long a growth step holds up a reader\n\n")
                .append("Made by `java -cp benchmarks/target/benchmarks.jar io.hearth.bench.GrowthPause")
                .append(args.isEmpty() ? "" : " " + args).append("`, run ").append(when)
                .append("; do not edit by hand. Load average (1, 5, 15 min) and test suites running (`pgrep -fc surefirebooter`) before: ")
                .append(loadBefore).append(", after: ")
                .append(loadAfter).append(".\n\n")
                .append("A writer JVM puts the `Population`'s entries (12-byte keys, 111 bytes of JSON) into a default store\n")
                .append("(`SharedStore.open(path)`), which grows a shard at a time: the put that finds it due splits one shard while holding\n")
                .append("every map lock stripe. Meanwhile a reader JVM gets a random key among those written, timing every `get` with\n")
                .append("`System.nanoTime` (after 3 s of untimed gets among the first thousand, so that its code is compiled; the writer\n")
                .append("starts then, cold: its first split runs code not compiled yet). Split durations are those `io.hearth.file.ShardSplit` logs in the writer. Each run is one\n")
                .append("measurement on a shared 2-core machine (writer and reader take both cores): no error bars, the spread is\n")
                .append("in the columns. A writer stops after ").append(minutes).append(" minutes with what it reached.\n\n")
                .append("| target | reached | writer time | splits | split duration min / median / max | reader calls | reader p50 / p99 / p99.9 / p99.99 | "
                        + "reader calls over 10 ms | reader's slowest call | writer's slowest put |\n")
                .append("|---|---|---|---|---|---|---|---|---|---|\n");
        for (Outcome o : outcomes) {
            long[] ms = o.splits().stream().mapToLong(Split::millis).sorted().toArray();
            Slow worst = o.slowest().isEmpty() ? null : o.slowest().get(0);
            md.append("| ").append(count(o.target())).append(" | ").append(count(o.reached()))
                    .append(o.reached() < o.target() ? " (stopped at the time limit)" : "").append(" | ")
                    .append(String.format(Locale.ROOT, "%.0f s", o.seconds())).append(" | ").append(ms.length).append(" | ")
                    .append(ms.length == 0 ? "—" : ms[0] + " / " + ms[ms.length / 2] + " / " + ms[ms.length - 1] + " ms").append(" | ")
                    .append(count(o.calls())).append(o.missing() > 0 ? " (" + count(o.missing()) + " found nothing)" : "").append(" | ")
                    .append(quantile(o.histogram(), 0.5)).append(" / ").append(quantile(o.histogram(), 0.99)).append(" / ")
                    .append(quantile(o.histogram(), 0.999)).append(" / ").append(quantile(o.histogram(), 0.9999)).append(" | ")
                    .append(count(o.over10ms())).append(" | ")
                    .append(worst == null ? "—" : millis(worst.nanos()) + during(worst, o.splits())).append(" | ")
                    .append(millis(o.worstPutNanos())).append(" |\n");
        }
        md.append("\nThe reader's quantiles are upper bounds: its calls are counted per power of two of nanoseconds (\"≤ 2.0 µs\" is the\n")
                .append("bucket up to 2^11 = 2,048 ns). \"During a split\" means the call started before that split ended and ended after it began.\n");
        for (Outcome o : outcomes) {
            md.append("\n").append(count(o.reached())).append(" entries, the reader's ").append(o.slowest().size())
                    .append(" slowest calls: ");
            md.append(String.join(", ", o.slowest().stream().map(s -> millis(s.nanos()) + during(s, o.splits())).toList())).append(".\n");
            md.append("Splits in order, as milliseconds/thousands of entries moved (shards after it): ")
                    .append(String.join(" ", o.splits().stream().map(s -> s.millis() + "/" + Math.round(s.moved() / 1000.0)
                            + (s.shards() % 16 == 0 ? " (" + s.shards() + ")" : "")).toList()))
                    .append(".\n");
        }
        return md.toString();
    }

    /** " (during a split of N ms)" when the call overlapped a split the writer logged. */
    private static String during(Slow call, List<Split> splits) {
        long start = call.startEpochMillis();
        long end = start + call.nanos() / 1_000_000;
        for (Split split : splits) {
            if (start <= split.endEpochMillis() && end >= split.endEpochMillis() - split.millis()) {
                return " (during a split of " + split.millis() + " ms)";
            }
        }
        return "";
    }

    private static String quantile(long[] histogram, double q) {
        long total = Arrays.stream(histogram).sum();
        long seen = 0;
        for (int b = 0; b < histogram.length; b++) {
            seen += histogram[b];
            if (seen >= Math.ceil(q * total)) {
                return "≤ " + nanos(1L << (b + 1));
            }
        }
        return "—";
    }

    private static String nanos(long ns) {
        return ns >= 1_000_000 ? String.format(Locale.ROOT, "%.1f ms", ns / 1e6)
                : ns >= 1_000 ? String.format(Locale.ROOT, "%.1f µs", ns / 1e3) : ns + " ns";
    }

    private static String millis(long ns) {
        return String.format(Locale.ROOT, "%,.1f ms", ns / 1e6);
    }

    private static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }
}
