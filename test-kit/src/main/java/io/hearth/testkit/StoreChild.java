package io.hearth.testkit;

import io.hearth.MissingJvmOptionsException;
import io.hearth.SharedCounter;
import io.hearth.SharedMap;
import io.hearth.SharedStore;
import io.hearth.Subscription;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The other side of the cross-process tests: a separate JVM that opens a store (a file path, or
 * a URI with a scheme) and does one scenario, printing what the parent checks as lines of "KEY value".
 */
public final class StoreChild {
    private StoreChild() {
    }

    public static void main(String[] args) throws Exception {
        String path = args[1]; // a file path, or a URI such as redis://127.0.0.1:6379/0
        switch (args[0]) {
            case "hammer" -> hammer(path, Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]));
            case "ack-writes" -> ackWrites(path);
            case "expiring-writes" -> expiringWrites(path);
            case "write" -> write(path);
            case "read" -> read(path);
            case "open-at" -> openAt(path, Long.parseLong(args[2]));
            case "subscribe" -> subscribe(path, args[2]);
            case "slow-update" -> slowUpdate(path);
            case "try-open" -> tryOpen(path);
            case "counter-churn" -> counterChurn(path, args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4]));
            default -> throw new IllegalArgumentException("unknown scenario " + args[0]);
        }
    }

    /** Waits at the barrier in the store, then each thread increments and updates; prints the sums of what the calls returned. */
    private static void hammer(String path, int threads, int increments, int updates) throws Exception {
        try (SharedStore store = Stores.open(path)) {
            SharedCounter hits = store.counter("hits");
            SharedMap<Tally> tallies = store.map("tallies", Tally.class);
            store.counter("barrier.ready").incrementAndGet();
            SharedCounter go = store.counter("barrier.go");
            while (go.get() == 0) {
                Thread.onSpinWait();
            }
            AtomicLong incrementSum = new AtomicLong();
            AtomicLong updateSum = new AtomicLong();
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                workers.add(new Thread(() -> {
                    long mine = 0;
                    for (int i = 0; i < increments; i++) {
                        mine += hits.incrementAndGet();
                    }
                    incrementSum.addAndGet(mine);
                    long updated = 0;
                    for (int i = 0; i < updates; i++) {
                        updated += tallies.update("shared", tally -> tally == null ? new Tally(1) : tally.next()).n();
                    }
                    updateSum.addAndGet(updated);
                }));
            }
            workers.forEach(Thread::start);
            for (Thread worker : workers) {
                worker.join();
            }
            System.out.println("INCREMENT_SUM " + incrementSum.get());
            System.out.println("UPDATE_SUM " + updateSum.get());
        }
    }

    /** For each "put N" on stdin: writes N to a map and a counter, then prints "ACK N". */
    private static void ackWrites(String path) throws Exception {
        try (SharedStore store = Stores.open(path);
             BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            SharedMap<Tally> map = store.map("visible", Tally.class);
            SharedCounter counter = store.counter("visible");
            System.out.println("READY");
            for (String line; (line = in.readLine()) != null && line.startsWith("put "); ) {
                long n = Long.parseLong(line.substring(4));
                long version = map.put("latest", new Tally(n));
                counter.set(n);
                System.out.println("ACK " + n + " " + version);
            }
        }
    }

    /**
     * For each "put N MILLIS" on stdin: writes N to map "sessions" key "s" and counts up the counter
     * "window-N", both with a time to live of MILLIS, then prints "ACK N" and when the writes began and
     * ended, epoch ms (each deadline lies between began and ended, plus MILLIS).
     */
    private static void expiringWrites(String path) throws Exception {
        try (SharedStore store = Stores.open(path);
             BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            SharedMap<Tally> sessions = store.map("sessions", Tally.class);
            System.out.println("READY");
            for (String line; (line = in.readLine()) != null && line.startsWith("put "); ) {
                String[] words = line.split(" ");
                long n = Long.parseLong(words[1]);
                Duration timeToLive = Duration.ofMillis(Long.parseLong(words[2]));
                long began = System.currentTimeMillis();
                sessions.put("s", new Tally(n), timeToLive);
                store.counter("window-" + n, timeToLive).incrementAndGet();
                System.out.println("ACK " + n + " " + began + " " + System.currentTimeMillis());
            }
        }
    }

    private static void write(String path) {
        try (SharedStore store = Stores.open(path)) {
            store.counter("persisted").addAndGet(42);
            store.map("persisted", Tally.class).put("answer", new Tally(42));
            store.map("persisted", Tally.class).put("gone", new Tally(1));
            store.map("persisted", Tally.class).remove("gone");
            System.out.println("WROTE");
        }
    }

    private static void read(String path) {
        try (SharedStore store = Stores.open(path)) {
            SharedMap<Tally> map = store.map("persisted", Tally.class);
            System.out.println("COUNTER " + store.counter("persisted").get());
            System.out.println("ANSWER " + map.get("answer").n());
            System.out.println("KEYS " + map.keys());
        }
    }

    /** Sleeps until the given instant so that every child opens the fresh file at once. */
    private static void openAt(String path, long epochMillis) {
        long wait = epochMillis - System.currentTimeMillis();
        if (wait > 0) {
            LockSupport.parkNanos(Duration.ofMillis(wait).toNanos());
        }
        try (SharedStore store = Stores.open(path)) {
            System.out.println("OPENED " + store.counter("opened").incrementAndGet());
        }
    }

    /** Prints every message on topic as "GOT payload" until stdin closes or says "exit". */
    private static void subscribe(String path, String topic) throws Exception {
        try (SharedStore store = Stores.open(path);
             Subscription ignored = store.subscribe(topic, message -> System.out.println("GOT " + message.payload()));
             BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            System.out.println("READY " + ProcessHandle.current().pid());
            for (String line; (line = in.readLine()) != null && !line.equals("exit"); ) {
                System.out.println("ECHO " + line);
            }
        }
    }

    /** An update whose function waits until the parent sets counter "release"; prints the result and the attempts. */
    private static void slowUpdate(String path) {
        try (SharedStore store = Stores.open(path)) {
            SharedCounter attempts = store.counter("attempts");
            SharedCounter release = store.counter("release");
            Tally result = store.map("slow", Tally.class).update("key", tally -> {
                attempts.incrementAndGet();
                while (release.get() == 0) {
                    LockSupport.parkNanos(1_000_000);
                }
                return tally == null ? new Tally(1) : new Tally(tally.n() + 100);
            });
            System.out.println("RESULT " + result.n() + " " + attempts.get());
        }
    }

    /**
     * After the barrier, for each round: creates counters name-0.., sets each to round*1000+i,
     * reads every one back, and removes them all but in the last round; a counter "name-removed"
     * is created and removed every round. Prints "CHURNED rounds", or fails.
     */
    private static void counterChurn(String path, String name, int counters, int rounds) {
        try (SharedStore store = Stores.open(path)) {
            store.counter("barrier.ready").incrementAndGet();
            while (store.counter("barrier.go").get() == 0) {
                Thread.onSpinWait();
            }
            for (int round = 1; round <= rounds; round++) {
                for (int c = 0; c < counters; c++) {
                    store.counter(name + "-" + c).addAndGet(round * 1_000L + c);
                }
                store.counter(name + "-removed").incrementAndGet();
                for (int c = 0; c < counters; c++) {
                    long value = store.counter(name + "-" + c).get();
                    if (value != round * 1_000L + c) {
                        throw new AssertionError("round " + round + ": counter " + name + "-" + c + " reads " + value);
                    }
                }
                if (!store.removeCounter(name + "-removed")) {
                    throw new AssertionError("round " + round + ": counter " + name + "-removed was not there to remove");
                }
                if (round < rounds) {
                    for (int c = 0; c < counters; c++) {
                        if (!store.removeCounter(name + "-" + c)) {
                            throw new AssertionError("round " + round + ": counter " + name + "-" + c + " was not there to remove");
                        }
                    }
                }
            }
            System.out.println("CHURNED " + rounds);
        }
    }

    private static void tryOpen(String path) {
        try (SharedStore store = Stores.open(path)) {
            System.out.println("OPENED");
        } catch (MissingJvmOptionsException e) {
            System.out.println("MISSING " + String.join(" ", e.missingOptions()));
        }
    }
}
