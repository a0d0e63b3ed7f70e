package io.hearth.file;

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
