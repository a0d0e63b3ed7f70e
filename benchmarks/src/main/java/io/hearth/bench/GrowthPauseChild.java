package io.hearth.bench;

import io.hearth.SharedCounter;
import io.hearth.SharedMap;
import io.hearth.SharedStore;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A process of the {@link GrowthPause} measurement, on a default store at PATH:
 * <ul>
 *   <li>{@code writer PATH N SECONDS}: puts the {@link Population}'s first thousand entries, prints
 *       "ready" and waits for "go" on stdin; then puts the rest up to N (or until SECONDS have passed),
 *       publishing how many are written in the counter "written" after each thousand, timing every put.
 *       Prints "split SHARDS MOVED MILLIS END_EPOCH_MILLIS" for each split it makes (from the INFO record
 *       {@code io.hearth.file.ShardSplit} logs), then "reached N SECONDS" and "worst-put NANOS".</li>
 *   <li>{@code reader PATH}: gets a random key among those written, again and again, timing every call,
 *       until "stop" on stdin; prints "reading" once it has read for 3 s untimed (so it is compiled), then "calls N MISSING OVER_10_MS", "histogram"
 *       with the count of calls per power of two of nanoseconds, "slow NANOS START_EPOCH_MILLIS" for
 *       its slowest calls, and "end".</li>
 * </ul>
 */
public final class GrowthPauseChild {
    static final String MAP = "profiles";
    static final String WRITTEN = "written";
    private static final int SLOWEST = 10;
    /** How long the reader reads, untimed, before it says "reading". */
    private static final long WARM_UP_NANOS = 3_000_000_000L;
    /** "grew the entries of PATH to 21 shards: split shard 4, moving 30726 entries to shard 20, in 65 ms" */
    private static final Pattern SPLIT = Pattern.compile("to (\\d+) shards: .* moving (\\d+) entries .* in (\\d+) ms");
    /** Held so the logging system keeps our handler's logger (it holds loggers weakly). */
    private static Logger splitLog;
    private static volatile boolean stop;

    private GrowthPauseChild() {
    }

    public static void main(String[] args) throws Exception {
        Path path = Path.of(args[1]);
        switch (args[0]) {
            case "writer" -> write(path, Long.parseLong(args[2]), Long.parseLong(args[3]));
            case "reader" -> read(path);
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        }
        System.out.flush();
    }

    private static void write(Path path, long n, long seconds) throws Exception {
        reportSplits();
        BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try (SharedStore store = SharedStore.open(path)) {
            SharedMap<Profile> map = store.map(MAP, Profile.class);
            SharedCounter written = store.counter(WRITTEN);
            long i = 0;
            for (; i < 1000; i++) {
                map.put(Population.key(i), Population.value(i));
            }
            written.set(i);
            System.out.println("ready");
            System.out.flush();
            if (!"go".equals(stdin.readLine())) {
                return;
            }
            long started = System.nanoTime();
            long deadline = started + seconds * 1_000_000_000L;
            long worst = 0;
            for (; i < n && (i % 1000 != 0 || System.nanoTime() < deadline); i++) {
                long before = System.nanoTime();
                map.put(Population.key(i), Population.value(i));
                worst = Math.max(worst, System.nanoTime() - before);
                if ((i + 1) % 1000 == 0) {
                    written.set(i + 1);
                }
            }
            written.set(i);
            System.out.printf("reached %d %.1f%n", i, (System.nanoTime() - started) / 1e9);
            System.out.println("worst-put " + worst);
        }
    }

    /** Prints a line for each split this process makes, from the record ShardSplit logs, instead of the console's two. */
    private static void reportSplits() {
        splitLog = Logger.getLogger("io.hearth.file.ShardSplit");
        splitLog.setUseParentHandlers(false);
        splitLog.addHandler(new Handler() {
            @Override
            public void publish(LogRecord record) {
                Matcher m = SPLIT.matcher(String.valueOf(record.getMessage()));
                if (m.find()) {
                    System.out.println("split " + m.group(1) + " " + m.group(2) + " " + m.group(3) + " " + record.getMillis());
                } else {
                    System.out.println("log " + record.getLevel() + " " + record.getMessage());
                }
            }

            @Override
            public void flush() {
                System.out.flush();
            }

            @Override
            public void close() {
            }
        });
    }

    private static void read(Path path) throws Exception {
        Thread watcher = new Thread(() -> {
            try (BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                for (String line; (line = stdin.readLine()) != null && !line.equals("stop"); ) {
                    // only "stop" means anything
                }
            } catch (java.io.IOException ignored) {
                // stdin gone: the coordinator died; stop as if told to
            }
            stop = true;
        }, "stdin");
        watcher.setDaemon(true);
        watcher.start();
        long[] histogram = new long[64];
        List<long[]> slowest = new ArrayList<>(); // {nanos, start epoch millis}
        long calls = 0;
        long missing = 0;
        long over10ms = 0;
        try (SharedStore store = SharedStore.open(path)) {
            SharedMap<Profile> map = store.map(MAP, Profile.class);
            SharedCounter written = store.counter(WRITTEN);
            ThreadLocalRandom random = ThreadLocalRandom.current();
            long warm = System.nanoTime() + WARM_UP_NANOS;
            while (System.nanoTime() < warm) { // compiled before it is timed
                missing += map.get(Population.key(random.nextLong(Math.max(1, written.get())))) == null ? 1 : 0;
            }
            System.out.println("reading");
            System.out.flush();
            while (!stop) {
                String key = Population.key(random.nextLong(Math.max(1, written.get())));
                long before = System.nanoTime();
                Profile found = map.get(key);
                long took = System.nanoTime() - before;
                calls++;
                missing += found == null ? 1 : 0;
                over10ms += took > 10_000_000 ? 1 : 0;
                histogram[63 - Long.numberOfLeadingZeros(Math.max(1, took))]++;
                if (slowest.size() < SLOWEST || took > slowest.get(slowest.size() - 1)[0]) {
                    slowest.add(new long[] {took, System.currentTimeMillis() - took / 1_000_000});
                    slowest.sort(Comparator.comparingLong((long[] s) -> s[0]).reversed());
                    if (slowest.size() > SLOWEST) {
                        slowest.remove(SLOWEST);
                    }
                }
            }
        }
        System.out.println("calls " + calls + " " + missing + " " + over10ms);
        StringBuilder line = new StringBuilder("histogram");
        for (long count : histogram) {
            line.append(' ').append(count);
        }
        System.out.println(line);
        slowest.forEach(s -> System.out.println("slow " + s[0] + " " + s[1]));
        System.out.println("end");
    }
}
