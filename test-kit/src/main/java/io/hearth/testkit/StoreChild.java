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
import java.util.Random;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

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
            case "cache-hammer" -> cacheHammer(path, Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]));
            case "acked-writer" -> ackedWriter(path, Integer.parseInt(args[2]));
            case "fresh-reader" -> freshReader(path, Integer.parseInt(args[2]));
            case "merge-hammer" -> mergeHammer(path, Integer.parseInt(args[2]), Integer.parseInt(args[3]));
            case "update-loop" -> updateLoop(path, args[2]);
            default -> throw new IllegalArgumentException("unknown scenario " + args[0]);
        }
    }

    /** Waits at the barrier in the store, then each thread increments and updates; prints the sums of what the calls returned. */
    private static void hammer(String path, int threads, int increments, int updates) throws Exception {
        try (SharedStore store = Stores.open(path)) {
            SharedCounter hits = store.counter("hits");
            SharedMap<Tally> tallies = store.map("tallies", Tally.class);
            awaitGo(store);
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
            startAndJoin(workers);
            System.out.println("INCREMENT_SUM " + incrementSum.get());
            System.out.println("UPDATE_SUM " + updateSum.get());
        }
    }

    /**
     * Waits at the barrier in the store, then each thread does {@code merge("total", 1, Integer::sum)} on map
     * "merged" through {@link SharedMap#asMap()} merges times; prints the sum of what the merges returned.
     */
    private static void mergeHammer(String path, int threads, int merges) throws Exception {
        try (SharedStore store = Stores.open(path)) {
            ConcurrentMap<String, Integer> merged = store.map("merged", Integer.class).asMap();
            awaitGo(store);
            System.out.println("MERGE_SUM " + sumOfCalls(threads, merges, () -> merged.merge("total", 1, Integer::sum)));
        }
    }

    /** Makes the call times on each of threads threads at once; returns the sum of what the calls returned. */
    private static long sumOfCalls(int threads, int times, LongSupplier call) throws InterruptedException {
        AtomicLong sum = new AtomicLong();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            workers.add(new Thread(() -> {
                long mine = 0;
                for (int i = 0; i < times; i++) {
                    mine += call.getAsLong();
                }
                sum.addAndGet(mine);
            }));
        }
        startAndJoin(workers);
        return sum.get();
    }

    /**
     * For each "put N" or "update N" on stdin: writes N to map "visible" key "latest" (by put, or by
     * an update whose function returns N) and to a counter, then prints "ACK N version"; for
     * "remove", removes the key and prints "ACK removed".
     */
    private static void ackWrites(String path) throws Exception {
        try (SharedStore store = Stores.open(path);
             BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            SharedMap<Tally> map = store.map("visible", Tally.class);
            SharedCounter counter = store.counter("visible");
            System.out.println("READY");
            for (String line; (line = in.readLine()) != null && (line.startsWith("put ") || line.startsWith("update ")
                    || line.equals("remove")); ) {
                if (line.equals("remove")) {
                    map.remove("latest");
                    System.out.println("ACK removed");
                    continue;
                }
                long n = Long.parseLong(line.substring(line.indexOf(' ') + 1));
                long version;
                if (line.startsWith("put ")) {
                    version = map.put("latest", new Tally(n));
                } else {
                    map.update("latest", tally -> new Tally(n));
                    version = map.getVersioned("latest").version(); // only this child writes the key
                }
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
     * After the barrier, adds one to the tally under key of map "turns" as fast as it can until the
     * counter "stop" is set; prints "UPDATES n", how many it made.
     */
    private static void updateLoop(String path, String key) {
        try (SharedStore store = Stores.open(path)) {
            SharedMap<Tally> turns = store.map("turns", Tally.class);
            SharedCounter stop = store.counter("stop");
            awaitGo(store);
            long updates = 0;
            while (stop.get() == 0) {
                turns.update(key, tally -> tally == null ? new Tally(1) : tally.next());
                updates++;
            }
            System.out.println("UPDATES " + updates);
        }
    }

    /**
     * After the barrier, for each round: creates counters name-0.., sets each to round*1000+i,
     * reads every one back, and removes them all but in the last round; a counter "name-removed"
     * is created and removed every round. Prints "CHURNED rounds", or fails.
     */
    private static void counterChurn(String path, String name, int counters, int rounds) {
        try (SharedStore store = Stores.open(path)) {
            awaitGo(store);
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

    /**
     * After the barrier, each thread repeats: three reads of random keys of map "cached-tallies"
     * ("k0".."k(keys-1)"), then an update adding 1 to a random key, after which it raises counter
     * "cached-tallies.acked.K" to what the update returned, so that every process knows the key's
     * newest acknowledged value. Prints, per key, how many updates this process made ("COUNTS c0 c1
     * ...") and the sum of what they returned ("SUMS ..."), how many reads returned less than the
     * key's counter before the read began or than the thread had seen before ("BACKWARDS n"), and
     * this process's read cache hits ("HITS n").
     */
    private static void cacheHammer(String path, int threads, int updates, int keys) throws Exception {
        try (SharedStore store = Stores.open(path)) {
            SharedMap<Tally> tallies = store.map("cached-tallies", Tally.class);
            MaxCounter[] acked = new MaxCounter[keys];
            for (int k = 0; k < keys; k++) {
                acked[k] = new MaxCounter(store.counter("cached-tallies.acked.k" + k));
            }
            awaitGo(store);
            long[][] counts = new long[threads][keys];
            long[][] sums = new long[threads][keys];
            AtomicLong backwards = new AtomicLong();
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long[] count = counts[t];
                long[] sum = sums[t];
                long seed = ProcessHandle.current().pid() * 31 + t;
                workers.add(new Thread(() -> {
                    Random random = new Random(seed);
                    long[] seen = new long[keys]; // the highest value this thread knows each key had
                    for (int i = 0; i < updates; i++) {
                        for (int r = 0; r < 3; r++) {
                            int k = random.nextInt(keys);
                            long before = acked[k].get(); // an update in some process returned it before this read began
                            Tally read = tallies.get("k" + k);
                            long n = read == null ? 0 : read.n();
                            if (n < seen[k] || n < before) {
                                backwards.incrementAndGet();
                            }
                            seen[k] = Math.max(seen[k], n);
                        }
                        int k = random.nextInt(keys);
                        long result = tallies.update("k" + k, tally -> tally == null ? new Tally(1) : tally.next()).n();
                        if (result <= seen[k]) {
                            backwards.incrementAndGet();
                        }
                        seen[k] = result;
                        acked[k].accumulateMax(result);
                        count[k]++;
                        sum[k] += result;
                    }
                }));
            }
            startAndJoin(workers);
            StringBuilder countLine = new StringBuilder("COUNTS");
            StringBuilder sumLine = new StringBuilder("SUMS");
            for (int k = 0; k < keys; k++) {
                long count = 0;
                long sum = 0;
                for (int t = 0; t < threads; t++) {
                    count += counts[t][k];
                    sum += sums[t][k];
                }
                countLine.append(' ').append(count);
                sumLine.append(' ').append(sum);
            }
            System.out.println(countLine);
            System.out.println(sumLine);
            System.out.println("BACKWARDS " + backwards.get());
            System.out.println("HITS " + store.stats().readCache().hits());
        }
    }

    /**
     * After the barrier, writes 1 to writes to map "fresh" key "k", by put and by update in turn,
     * and after each write returns sets counter "fresh.acked" to its value; waits about 20 us after
     * each, so that readers find the entry unchanged between writes. Sets "fresh.done", prints "WROTE writes".
     */
    private static void ackedWriter(String path, int writes) {
        try (SharedStore store = Stores.open(path)) {
            SharedMap<Tally> map = store.map("fresh", Tally.class);
            SharedCounter acked = store.counter("fresh.acked");
            awaitGo(store);
            for (int n = 1; n <= writes; n++) {
                Tally next = new Tally(n);
                if (n % 2 == 0) {
                    map.put("k", next);
                } else {
                    map.update("k", tally -> next);
                }
                acked.set(n);
                long until = System.nanoTime() + 20_000;
                while (System.nanoTime() < until) {
                    Thread.onSpinWait();
                }
            }
            store.counter("fresh.done").set(1);
            System.out.println("WROTE " + writes);
        }
    }

    /**
     * After the barrier, threads read map "fresh" key "k" until "fresh.done" is set, each read
     * after reading counter "fresh.acked" (the newest value whose write had returned). Prints how
     * many reads returned less than that, or less than the thread's previous read ("STALE n", with
     * the first few as "FIRST_STALE read acked previous"), the reads ("READS n"), this process's cache hits
     * ("HITS n"), and the value read after "fresh.done" ("LAST n").
     */
    private static void freshReader(String path, int threads) throws Exception {
        try (SharedStore store = Stores.open(path)) {
            SharedMap<Tally> map = store.map("fresh", Tally.class);
            SharedCounter acked = store.counter("fresh.acked");
            SharedCounter done = store.counter("fresh.done");
            awaitGo(store);
            AtomicLong stale = new AtomicLong();
            AtomicLong reads = new AtomicLong();
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                workers.add(new Thread(() -> {
                    long previous = 0;
                    long mine = 0;
                    while (done.get() == 0) {
                        long before = acked.get(); // acknowledged before this read began
                        Tally read = map.get("k");
                        long n = read == null ? 0 : read.n();
                        if (n < before || n < previous) {
                            if (stale.incrementAndGet() <= 5) {
                                System.out.println("FIRST_STALE " + n + " " + before + " " + previous);
                            }
                        }
                        previous = n;
                        mine++;
                    }
                    reads.addAndGet(mine);
                }));
            }
            startAndJoin(workers);
            Tally last = map.get("k");
            System.out.println("STALE " + stale.get());
            System.out.println("READS " + reads.get());
            System.out.println("HITS " + store.stats().readCache().hits());
            System.out.println("LAST " + (last == null ? 0 : last.n()));
        }
    }

    /** A shared counter that only goes up: {@link #accumulateMax} raises it to a value unless it is higher. */
    private record MaxCounter(SharedCounter counter) {
        long get() {
            return counter.get();
        }

        void accumulateMax(long value) {
            for (long now = counter.get(); now < value && !counter.compareAndSet(now, value); now = counter.get()) {
                Thread.onSpinWait();
            }
        }
    }

    private static void startAndJoin(List<Thread> workers) throws InterruptedException {
        workers.forEach(Thread::start);
        for (Thread worker : workers) {
            worker.join();
        }
    }

    /** Counts this process in at "barrier.ready", then waits until the parent sets "barrier.go". */
    private static void awaitGo(SharedStore store) {
        store.counter("barrier.ready").incrementAndGet();
        SharedCounter go = store.counter("barrier.go");
        while (go.get() == 0) {
            Thread.onSpinWait();
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
