package io.hearth.file;

import io.hearth.SharedMap;
import io.hearth.SharedStore;
import io.hearth.testkit.Tally;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.concurrent.locks.LockSupport;

/**
 * The other side of the fault tests: a separate JVM that opens the file store and does one
 * scenario, printing what the parent checks as lines of "KEY value".
 */
public final class FaultChild {
    private FaultChild() {
    }

    public static void main(String[] args) throws Exception {
        Path path = Path.of(args[1]);
        switch (args[0]) {
            case "slow-subscriber" -> slowSubscriber(path, args[2], Duration.ofMillis(Long.parseLong(args[3])));
            case "reopen-loop" -> reopenLoop(path, Duration.ofMillis(Long.parseLong(args[2])));
            case "create-at" -> createAt(path, Long.parseLong(args[2]), Integer.parseInt(args[3]));
            case "fill" -> fill(path, args[2], Integer.parseInt(args[3]));
            case "grow-writer" -> growWriter(path, args[2], Long.parseLong(args[3]), Long.parseLong(args[4]));
            case "grow-reader" -> growReader(path, args[2], args[3]);
            case "expiry-writer" -> expiryWriter(path);
            case "sweeper" -> sweeper(path);
            case "without-compiler" -> withoutCompiler(path);
            case "posix-binding" -> posixBinding(path);
            default -> throw new IllegalArgumentException("unknown scenario " + args[0]);
        }
    }

    /**
     * Subscribes to topic with a handler that takes handlerTime for the first message and no time
     * for later ones; prints "READY pid", then "HANDLING payload" and "HANDLED payload" per message.
     */
    private static void slowSubscriber(Path path, String topic, Duration handlerTime) {
        try (SharedStore store = SharedStore.open(path)) {
            AtomicBoolean first = new AtomicBoolean(true);
            store.subscribe(topic, message -> {
                System.out.println("HANDLING " + message.payload());
                if (first.getAndSet(false)) {
                    LockSupport.parkNanos(handlerTime.toNanos());
                }
                System.out.println("HANDLED " + message.payload());
            });
            System.out.println("READY " + ProcessHandle.current().pid());
            LockSupport.parkNanos(Duration.ofMinutes(5).toNanos());
        }
    }

    /**
     * At the given instant, opens (or creates) the store asking for maxValueBytes; prints the
     * store's real maxValueBytes and how many warnings about its shape this open logged.
     */
    private static void createAt(Path path, long epochMillis, int maxValueBytes) {
        AtomicInteger warnings = new AtomicInteger();
        Logger logger = Logger.getLogger(ShapeWarnings.class.getName());
        logger.addHandler(new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel() == Level.WARNING) {
                    warnings.incrementAndGet();
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        });
        LockSupport.parkNanos(Duration.ofMillis(Math.max(0, epochMillis - System.currentTimeMillis())).toNanos());
        try (SharedStore store = SharedStore.builder(path).maxValueBytes(maxValueBytes).open()) {
            System.out.println("MAX_VALUE_BYTES " + store.stats().maxValueBytes());
            System.out.println("WARNED " + warnings.get());
        }
    }

    /**
     * Writes entries "name-N" of valueChars-character self-describing values until the store has
     * refused 20 writes in a row with StoreFullException; prints "ACKED" with every key written,
     * "FULL" with the first refusal's message, and "FAILURE" with anything else thrown.
     */
    private static void fill(Path path, String name, int valueChars) {
        StringBuilder acked = new StringBuilder();
        String firstRefusal = null;
        try (SharedStore store = SharedStore.open(path)) {
            var map = store.map("fill", String.class);
            int refusedInARow = 0;
            for (int n = 0; refusedInARow < 20; n++) {
                String key = name + "-" + n;
                try {
                    map.put(key, valueFor(key, valueChars));
                    acked.append(acked.length() == 0 ? "" : ",").append(key);
                    refusedInARow = 0;
                } catch (io.hearth.StoreFullException e) {
                    firstRefusal = firstRefusal == null ? e.getMessage() : firstRefusal;
                    refusedInARow++;
                }
            }
        } catch (Throwable e) {
            System.out.println("FAILURE " + e);
            e.printStackTrace();
        }
        System.out.println("FULL " + firstRefusal);
        System.out.println("ACKED " + acked);
    }

    /**
     * Writes entries prefix-N of 100-character values for N from first up to (not including) end,
     * setting counter "acked-prefix" to N + 1 after each write: what survives a SIGKILL says
     * which writes were acknowledged. Prints "WROTE count" and "SLOWEST_MS ms" when done.
     */
    private static void growWriter(Path path, String prefix, long first, long end) {
        try (SharedStore store = SharedStore.builder(path).expectedEntries(Long.getLong("hearth.test.expectedEntries", 65_536)).open()) {
            var map = store.map("grow", String.class);
            var acked = store.counter("acked-" + prefix);
            System.out.println("STARTED");
            long slowest = 0;
            for (long n = first; n < end; n++) {
                String key = prefix + "-" + n;
                long started = System.nanoTime();
                map.put(key, valueFor(key, 100));
                slowest = Math.max(slowest, System.nanoTime() - started);
                acked.set(n + 1);
            }
            System.out.println("WROTE " + (end - first));
            System.out.println("SLOWEST_MS " + slowest / 1_000_000);
        }
    }

    /**
     * Until counter "stop" is set: reads a random key the writer of writerPrefix has acknowledged
     * and checks its value, and writes an entry of its own (own-N) every other step; prints
     * "READ n", "OWN n" and "SLOWEST_MS ms" (the slowest call). Fails on a wrong or missing value.
     */
    private static void growReader(Path path, String writerPrefix, String ownPrefix) {
        try (SharedStore store = SharedStore.builder(path).expectedEntries(Long.getLong("hearth.test.expectedEntries", 65_536)).open()) {
            var map = store.map("grow", String.class);
            var acked = store.counter("acked-" + writerPrefix);
            var stop = store.counter("stop");
            var random = new java.util.SplittableRandom();
            System.out.println("STARTED");
            long reads = 0;
            long own = 0;
            long slowest = 0;
            while (stop.get() == 0) {
                long written = acked.get();
                long started = System.nanoTime();
                if (written > 0) {
                    String key = writerPrefix + "-" + random.nextLong(written);
                    String value = map.get(key);
                    if (!valueFor(key, 100).equals(value)) {
                        throw new AssertionError("read " + key + " (acknowledged: " + written + ") as " + value);
                    }
                    reads++;
                }
                if ((reads & 1) == 0) {
                    String key = ownPrefix + "-" + own;
                    map.put(key, valueFor(key, 100));
                    store.counter("acked-" + ownPrefix).set(++own);
                }
                slowest = Math.max(slowest, System.nanoTime() - started);
            }
            System.out.println("READ " + reads);
            System.out.println("OWN " + own);
            System.out.println("SLOWEST_MS " + slowest / 1_000_000);
        }
    }

    /**
     * Until counter "stop" is set: writes live-N without expiry (counting each in "acked-live"
     * once written) and, between two of them, ten short-N that expire 20 ms later, for the
     * sweepers to remove; prints "LIVE n" and "SLOWEST_MS ms" (the slowest call).
     */
    private static void expiryWriter(Path path) {
        try (SharedStore store = SharedStore.open(path)) {
            var map = store.map("expiry", String.class);
            var acked = store.counter("acked-live");
            var stop = store.counter("stop");
            System.out.println("STARTED");
            long live = 0;
            long slowest = 0;
            for (long n = 0; stop.get() == 0; n++) {
                long started = System.nanoTime();
                if (n % 11 == 0) {
                    String key = "live-" + live;
                    map.put(key, valueFor(key, 100));
                    acked.set(++live);
                } else {
                    String key = "short-" + n;
                    map.put(key, valueFor(key, 100), Duration.ofMillis(20));
                }
                slowest = Math.max(slowest, System.nanoTime() - started);
            }
            System.out.println("LIVE " + live);
            System.out.println("SLOWEST_MS " + slowest / 1_000_000);
        }
    }

    /** Says whether module jdk.compiler is in this JVM, then writes and reads an entry and a counter; prints "READ value". */
    private static void withoutCompiler(Path path) {
        System.out.println("COMPILER " + (ModuleLayer.boot().findModule("jdk.compiler").isPresent() ? "present" : "absent"));
        try (SharedStore store = SharedStore.open(path)) {
            store.map("m", Tally.class).put("k", new Tally(7));
            store.counter("c").incrementAndGet();
            System.out.println("READ " + store.map("m", Tally.class).get("k").n() + " " + store.counter("c").get());
        }
    }

    /**
     * Opens (or creates) the store, writes an entry of 200 bytes and a counter, reads them back;
     * prints "POSIX deferred" or "POSIX loaded": whether Chronicle's native binding was loaded.
     */
    private static void posixBinding(Path path) {
        try (SharedStore store = SharedStore.open(path)) {
            SharedMap<String> map = store.map("m", String.class);
            map.put("k0", "v".repeat(200));
            store.counter("c").incrementAndGet();
            System.out.println("READ " + map.get("k0").length() + " " + store.counter("c").get());
            System.out.println("POSIX " + (DeferredPosix.deferred() ? "deferred" : "loaded"));
        }
    }

    /** Opens the store and lets its expiry sweep run (to be killed, in a sweep step or anywhere); prints "STARTED". */
    private static void sweeper(Path path) {
        try (SharedStore store = SharedStore.open(path)) {
            System.out.println("STARTED");
            LockSupport.parkNanos(Duration.ofMinutes(10).toNanos());
        }
    }

    /** The value fill writes under key: the key repeated, so a reader can tell a changed value. */
    static String valueFor(String key, int chars) {
        StringBuilder value = new StringBuilder(chars);
        while (value.length() < chars) {
            value.append(key).append('|');
        }
        return value.substring(0, chars);
    }

    /** Opens the store, writes, lists workers and closes, again and again for duration; prints the slowest open in ms and the rounds. */
    private static void reopenLoop(Path path, Duration duration) {
        long end = System.nanoTime() + duration.toNanos();
        long slowestOpen = 0;
        int rounds = 0;
        while (System.nanoTime() - end < 0) {
            long started = System.nanoTime();
            try (SharedStore store = SharedStore.open(path)) {
                slowestOpen = Math.max(slowestOpen, System.nanoTime() - started);
                store.map("m", Tally.class).put("round", new Tally(rounds));
                store.counter("rounds").incrementAndGet();
                store.workers();
            }
            rounds++;
        }
        System.out.println("SLOWEST_OPEN_MS " + slowestOpen / 1_000_000);
        System.out.println("ROUNDS " + rounds);
    }
}
