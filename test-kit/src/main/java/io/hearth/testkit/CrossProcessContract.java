package io.hearth.testkit;

import io.hearth.BroadcastResult;
import io.hearth.JsonBytes;
import io.hearth.SharedCounter;
import io.hearth.SharedMap;
import io.hearth.SharedStore;
import io.hearth.Subscription;
import io.hearth.Versioned;
import io.hearth.WorkerInfo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

/**
 * Claims about several processes, tested with real JVMs started together, written once for every
 * backend: {@code FileCrossProcessTest}, {@code RedisCrossProcessTest}. Children open the store with
 * {@link StoreChild}, which takes the same text as {@link #store()}.
 */
public abstract class CrossProcessContract {
    public static final Duration CHILD_TIMEOUT = Duration.ofSeconds(120);

    /** This test's fresh store, as {@link Stores#open} takes it: the same for every call within one test. */
    protected abstract String store();

    /** Increments per thread in the hammer test; 100,000 unless a backend's round trips make that slow. */
    protected int hammerIncrements() {
        return 100_000;
    }

    /** Updates per thread in the hammer test; 10,000 unless a backend's round trips make that slow. */
    protected int hammerUpdates() {
        return 10_000;
    }

    @Test
    void fourProcessesOfTwoThreadsIncrementingAndUpdatingAtOnceLoseNoUpdate() {
        int processes = 4;
        int threads = 2;
        int increments = hammerIncrements();
        int updates = hammerUpdates();
        String location = store();
        List<ChildJvm> children = new ArrayList<>();
        try (SharedStore store = Stores.open(location)) {
            for (int i = 0; i < processes; i++) {
                children.add(ChildJvm.start(StoreChild.class, "hammer", location,
                        String.valueOf(threads), String.valueOf(increments), String.valueOf(updates)));
            }
            awaitValue(() -> store.counter("barrier.ready").get(), processes);
            store.counter("barrier.go").set(1); // every child is past its start-up: they start together

            long incrementSum = 0;
            long updateSum = 0;
            for (ChildJvm child : children) {
                incrementSum += Long.parseLong(child.awaitLine("INCREMENT_SUM", CHILD_TIMEOUT));
                updateSum += Long.parseLong(child.awaitLine("UPDATE_SUM", CHILD_TIMEOUT));
                assertThat(child.awaitExit(CHILD_TIMEOUT)).isZero();
            }

            long totalIncrements = (long) processes * threads * increments;
            long totalUpdates = (long) processes * threads * updates;
            assertThat(store.counter("hits").get()).isEqualTo(totalIncrements);
            assertThat(store.map("tallies", Tally.class).get("shared").n()).isEqualTo(totalUpdates);
            // Each call returned a distinct value from 1 to the total exactly when the sums are
            // the triangular numbers: two updates that saw the same value would break this.
            assertThat(incrementSum).isEqualTo(totalIncrements * (totalIncrements + 1) / 2);
            assertThat(updateSum).isEqualTo(totalUpdates * (totalUpdates + 1) / 2);
        } finally {
            children.forEach(ChildJvm::close);
        }
    }

    @Test
    void fourProcessesOfTwoThreadsMergingOneKeyThroughAsMapAtOnceLoseNoMerge() {
        int processes = 4;
        int threads = 2;
        int merges = hammerUpdates();
        String location = store();
        List<ChildJvm> children = new ArrayList<>();
        try (SharedStore store = Stores.open(location)) {
            for (int i = 0; i < processes; i++) {
                children.add(ChildJvm.start(StoreChild.class, "merge-hammer", location,
                        String.valueOf(threads), String.valueOf(merges)));
            }
            awaitValue(() -> store.counter("barrier.ready").get(), processes);
            store.counter("barrier.go").set(1); // every child is past its start-up: they start together

            long mergeSum = 0;
            for (ChildJvm child : children) {
                mergeSum += Long.parseLong(child.awaitLine("MERGE_SUM", CHILD_TIMEOUT));
                assertThat(child.awaitExit(CHILD_TIMEOUT)).isZero();
            }
            long total = (long) processes * threads * merges;
            assertThat(store.map("merged", Integer.class).asMap().get("total")).isEqualTo((int) total);
            // Each merge returned a distinct value from 1 to the total exactly when the sum is the triangular number.
            assertThat(mergeSum).isEqualTo(total * (total + 1) / 2);
        } finally {
            children.forEach(ChildJvm::close);
        }
    }

    /** Counters each process creates and removes per round in the churn test; 10,000 unless round trips make that slow. */
    protected int churnCounters() {
        return 10_000;
    }

    /** Rounds of the churn test; 100 unless round trips make that slow. */
    protected int churnRounds() {
        return 100;
    }

    @Test
    void twoProcessesCreatingAndRemovingThousandsOfCountersRoundAfterRoundNeverRunOutAndKeepExactValues() {
        String location = store();
        int counters = churnCounters();
        int rounds = churnRounds();
        List<ChildJvm> children = new ArrayList<>();
        try (SharedStore store = Stores.open(location)) {
            for (String name : List.of("a", "b")) {
                children.add(ChildJvm.start(StoreChild.class, "counter-churn", location, name,
                        Integer.toString(counters), Integer.toString(rounds)));
            }
            awaitValue(() -> store.counter("barrier.ready").get(), 2);
            store.counter("barrier.go").set(1);
            for (ChildJvm child : children) {
                assertThat(child.awaitLine("CHURNED", CHILD_TIMEOUT)).isEqualTo(Integer.toString(rounds));
                assertThat(child.awaitExit(CHILD_TIMEOUT)).isZero();
            }
            for (String name : List.of("a", "b")) {
                for (int c = 0; c < counters; c++) {
                    long expected = rounds * 1_000L + c;
                    assertThat(store.findCounter(name + "-" + c)).as("live counter %s-%d", name, c)
                            .hasValueSatisfying(counter -> assertThat(counter.get()).isEqualTo(expected));
                }
                assertThat(store.findCounter(name + "-removed")).isEmpty();
            }
            // The two children's counters, the parent's two barrier counters.
            assertThat(store.stats().counters()).isEqualTo(2 * counters + 2);
        } finally {
            children.forEach(ChildJvm::close);
        }
    }

    @Test
    void aWriteAcknowledgedInOneProcessIsVisibleInAnotherAsSoonAsTheCallReturns() {
        String location = store();
        try (SharedStore store = Stores.open(location);
             ChildJvm writer = ChildJvm.start(StoreChild.class, "ack-writes", location)) {
            writer.awaitLine("READY", CHILD_TIMEOUT);
            SharedMap<Tally> map = store.map("visible", Tally.class);
            for (int n = 1; n <= 200; n++) {
                writer.send("put " + n);
                String[] ack = writer.awaitLine("ACK", CHILD_TIMEOUT).split(" ");
                assertThat(Long.parseLong(ack[0])).isEqualTo(n);
                Versioned<Tally> seen = map.getVersioned("latest");
                assertThat(seen.value().n()).as("map value right after ack %d", n).isEqualTo(n);
                assertThat(seen.version()).isEqualTo(Long.parseLong(ack[1]));
                assertThat(store.counter("visible").get()).as("counter right after ack %d", n).isEqualTo(n);
            }
        }
    }

    @Test
    void aValueReadTwiceInOneProcessIsReadAgainFromTheStoreOnceAnotherProcessHasWrittenOrRemovedTheKey() {
        String location = store();
        try (SharedStore store = Stores.open(location);
             ChildJvm writer = ChildJvm.start(StoreChild.class, "ack-writes", location)) {
            writer.awaitLine("READY", CHILD_TIMEOUT);
            SharedMap<Tally> map = store.map("visible", Tally.class);
            SharedMap<JsonBytes> raw = store.map("visible", JsonBytes.class);
            boolean caching = store.stats().readCache().maximumBytes() > 0;
            for (int n = 1; n <= 200; n++) {
                writer.send((n % 2 == 0 ? "put " : "update ") + n);
                long version = Long.parseLong(writer.awaitLine("ACK", CHILD_TIMEOUT).split(" ")[1]);
                Versioned<Tally> first = map.getVersioned("latest");
                long hitsBefore = store.stats().readCache().hits();
                Versioned<Tally> second = map.getVersioned("latest"); // the entry is unchanged: cached, on a store that caches
                assertThat(first.value().n()).as("first read after ack %d", n).isEqualTo(n);
                assertThat(first.version()).isEqualTo(version);
                assertThat(second).isEqualTo(first);
                if (caching) {
                    assertThat(second.value()).as("the second read is the cached object").isSameAs(first.value());
                    assertThat(store.stats().readCache().hits()).isEqualTo(hitsBefore + 1);
                }
                // The same entry as its stored bytes: read again after the other process's write, then cached.
                Versioned<JsonBytes> bytes = raw.getVersioned("latest");
                assertThat(bytes.version()).isEqualTo(version);
                assertThat(decoded(bytes.value(), Tally.class)).isEqualTo(first.value());
                if (caching) {
                    assertThat(raw.get("latest")).as("the stored bytes read twice are one cached object").isSameAs(bytes.value());
                }
                if (n % 10 == 0) {
                    writer.send("remove");
                    assertThat(writer.awaitLine("ACK", CHILD_TIMEOUT)).isEqualTo("removed");
                    assertThat(map.getVersioned("latest")).as("read after the removal %d", n).isNull();
                    assertThat(map.get("latest")).isNull();
                }
            }
        }
    }

    @Test
    void fourProcessesOfTwoThreadsReadingAndUpdatingAHundredKeysKeepExactTotalsAndNoReadIsOlderThanAnUpdateThatReturnedBeforeIt() {
        int processes = 4;
        int threads = 2;
        int keys = 100;
        int updates = hammerUpdates();
        String location = store();
        List<ChildJvm> children = new ArrayList<>();
        try (SharedStore store = Stores.open(location)) {
            for (int i = 0; i < processes; i++) {
                children.add(ChildJvm.start(StoreChild.class, "cache-hammer", location,
                        String.valueOf(threads), String.valueOf(updates), String.valueOf(keys)));
            }
            awaitValue(() -> store.counter("barrier.ready").get(), processes);
            store.counter("barrier.go").set(1);

            long[] counts = new long[keys];
            long[] sums = new long[keys];
            for (ChildJvm child : children) {
                String[] childCounts = child.awaitLine("COUNTS", CHILD_TIMEOUT).split(" ");
                String[] childSums = child.awaitLine("SUMS", CHILD_TIMEOUT).split(" ");
                for (int k = 0; k < keys; k++) {
                    counts[k] += Long.parseLong(childCounts[k]);
                    sums[k] += Long.parseLong(childSums[k]);
                }
                assertThat(child.awaitLine("BACKWARDS", CHILD_TIMEOUT)).as("reads older than an acknowledged update or an earlier read").isEqualTo("0");
                long hits = Long.parseLong(child.awaitLine("HITS", CHILD_TIMEOUT));
                if (store.stats().readCache().maximumBytes() > 0) {
                    assertThat(hits).as("reads the child's cache answered").isPositive();
                }
                assertThat(child.awaitExit(CHILD_TIMEOUT)).isZero();
            }
            SharedMap<Tally> tallies = store.map("cached-tallies", Tally.class);
            long total = 0;
            for (int k = 0; k < keys; k++) {
                Tally stored = tallies.get("k" + k);
                assertThat(stored == null ? 0 : stored.n()).as("key k%d", k).isEqualTo(counts[k]);
                // Every update of the key returned a distinct value from 1 to its total exactly when
                // the sum is the triangular number: two updates that read the same value break this.
                assertThat(sums[k]).as("sum of what the updates of k%d returned", k).isEqualTo(counts[k] * (counts[k] + 1) / 2);
                total += counts[k];
            }
            assertThat(total).isEqualTo((long) processes * threads * updates);
        } finally {
            children.forEach(ChildJvm::close);
        }
    }

    @Test
    void aReadInAnyProcessNeverReturnsAValueOlderThanTheNewestWriteAcknowledgedBeforeTheReadBegan() {
        int writes = hammerUpdates();
        String location = store();
        List<ChildJvm> readers = new ArrayList<>();
        try (SharedStore store = Stores.open(location);
             ChildJvm writer = ChildJvm.start(StoreChild.class, "acked-writer", location, String.valueOf(writes))) {
            for (int i = 0; i < 2; i++) {
                readers.add(ChildJvm.start(StoreChild.class, "fresh-reader", location, "2"));
            }
            awaitValue(() -> store.counter("barrier.ready").get(), 3);
            store.counter("barrier.go").set(1);
            assertThat(writer.awaitLine("WROTE", CHILD_TIMEOUT)).isEqualTo(String.valueOf(writes));
            for (ChildJvm reader : readers) {
                assertThat(reader.awaitLine("STALE", CHILD_TIMEOUT)).as("stale reads, first ones: %s",
                        reader.linesSeen()).isEqualTo("0");
                assertThat(Long.parseLong(reader.awaitLine("READS", CHILD_TIMEOUT))).isPositive();
                long hits = Long.parseLong(reader.awaitLine("HITS", CHILD_TIMEOUT));
                if (store.stats().readCache().maximumBytes() > 0) {
                    assertThat(hits).as("reads the reader's cache answered").isPositive();
                }
                assertThat(reader.awaitLine("LAST", CHILD_TIMEOUT)).isEqualTo(String.valueOf(writes));
                assertThat(reader.awaitExit(CHILD_TIMEOUT)).isZero();
            }
            assertThat(writer.awaitExit(CHILD_TIMEOUT)).isZero();
        } finally {
            readers.forEach(ChildJvm::close);
        }
    }

    @Test
    void anEntryAndACounterWrittenWithATimeToLiveInOneProcessAreReadInAnotherBeforeTheDeadlineAndAreAbsentAfter() {
        String location = store();
        long timeToLive = 300;
        int rounds = 0;
        try (SharedStore store = Stores.open(location);
             ChildJvm writer = ChildJvm.start(StoreChild.class, "expiring-writes", location)) {
            writer.awaitLine("READY", CHILD_TIMEOUT);
            SharedMap<Tally> sessions = store.map("sessions", Tally.class);
            for (int n = 1; rounds < 3; n++) {
                if (n > 30) {
                    throw new AssertionError("this machine never read within " + timeToLive + " ms of a write in 30 tries");
                }
                writer.send("put " + n + " " + timeToLive);
                String[] ack = writer.awaitLine("ACK", CHILD_TIMEOUT).split(" ");
                long began = Long.parseLong(ack[1]);
                long ended = Long.parseLong(ack[2]);
                Versioned<Tally> before = sessions.getVersioned("s");
                long countedBefore = store.findCounter("window-" + n).map(SharedCounter::get).orElse(0L);
                if (System.currentTimeMillis() >= began + timeToLive) {
                    continue; // held up past the deadline: what was read proves nothing either way
                }
                assertThat(before.value()).as("round %d, before the deadline", n).isEqualTo(new Tally(n));
                assertThat(sessions.timeToLive("s")).isPresent();
                assertThat(countedBefore).isEqualTo(1);

                long lastDeadline = ended + timeToLive;
                while (System.currentTimeMillis() <= lastDeadline + 20) {
                    LockSupport.parkNanos(5_000_000);
                }
                assertThat(sessions.get("s")).as("round %d, after the deadline", n).isNull();
                assertThat(sessions.getVersioned("s")).isNull();
                assertThat(sessions.keys()).isEmpty();
                assertThat(sessions.entries()).isEmpty();
                assertThat(sessions.size()).isZero();
                assertThat(sessions.timeToLive("s")).isEmpty();
                assertThat(store.findCounter("window-" + n)).isEmpty();
                assertThat(store.counter("window-" + n).get()).isZero();
                rounds++;
            }
        }
    }

    @Test
    void dataSurvivesEveryProcessExitingAndReopeningGivesTheSameData() {
        String location = store();
        try (ChildJvm writer = ChildJvm.start(StoreChild.class, "write", location)) {
            writer.awaitLine("WROTE", CHILD_TIMEOUT);
            assertThat(writer.awaitExit(CHILD_TIMEOUT)).isZero();
        }
        try (ChildJvm reader = ChildJvm.start(StoreChild.class, "read", location)) {
            assertThat(reader.awaitLine("COUNTER", CHILD_TIMEOUT)).isEqualTo("42");
            assertThat(reader.awaitLine("ANSWER", CHILD_TIMEOUT)).isEqualTo("42");
            assertThat(reader.awaitLine("KEYS", CHILD_TIMEOUT)).isEqualTo("[answer]");
            assertThat(reader.awaitExit(CHILD_TIMEOUT)).isZero();
        }
        try (SharedStore store = Stores.open(location)) {
            assertThat(store.counter("persisted").get()).isEqualTo(42);
            assertThat(store.map("persisted", Tally.class).entries()).containsOnlyKeys("answer");
            assertThat(store.stats().entries()).isEqualTo(1);
        }
    }

    @Test
    void processesOpeningAStoreThatDoesNotExistYetAtTheSameInstantAllShareOneStore() {
        int processes = 6;
        String location = store();
        long startAt = System.currentTimeMillis() + 4_000; // past every child's JVM start-up
        List<ChildJvm> children = new ArrayList<>();
        try {
            for (int i = 0; i < processes; i++) {
                children.add(ChildJvm.start(StoreChild.class, "open-at", location, String.valueOf(startAt)));
            }
            Set<Long> seen = new HashSet<>();
            for (ChildJvm child : children) {
                seen.add(Long.parseLong(child.awaitLine("OPENED", CHILD_TIMEOUT)));
                assertThat(child.awaitExit(CHILD_TIMEOUT)).isZero();
            }
            assertThat(seen).containsExactlyInAnyOrder(1L, 2L, 3L, 4L, 5L, 6L);
        } finally {
            children.forEach(ChildJvm::close);
        }
        try (SharedStore store = Stores.open(location)) {
            assertThat(store.counter("opened").get()).isEqualTo(processes);
        }
    }

    @Test
    void aSlowUpdateFunctionInOneProcessBlocksNoOtherProcessAndRetriesOnTheirWrite() {
        String location = store();
        try (SharedStore store = Stores.open(location);
             ChildJvm slow = ChildJvm.start(StoreChild.class, "slow-update", location)) {
            awaitValue(() -> store.counter("attempts").get(), 1); // the child is inside its function now
            SharedMap<Tally> map = store.map("slow", Tally.class);
            // Were the function holding a lock, these would hang; the timeout only catches a hang.
            assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
                map.put("key", new Tally(5));
                map.update("key", tally -> new Tally(tally.n() + 1));
                map.put("other", new Tally(7));
            });
            store.counter("release").set(1);
            String[] result = slow.awaitLine("RESULT", CHILD_TIMEOUT).split(" ");
            assertThat(Long.parseLong(result[0])).as("the retry saw our write").isEqualTo(106);
            assertThat(Long.parseLong(result[1])).as("attempts").isGreaterThanOrEqualTo(2);
            assertThat(map.get("key").n()).isEqualTo(106);
        }
    }

    @Test
    void aBroadcastReachesEveryLiveProcessOnceAndDeadProcessesAreDropped() {
        String location = store();
        List<ChildJvm> children = new ArrayList<>();
        List<String> received = new ArrayList<>();
        try (SharedStore store = Stores.open(location);
             Subscription ignored = store.subscribe("reload", message -> received.add(message.payload()))) {
            for (int i = 0; i < 3; i++) {
                children.add(ChildJvm.start(StoreChild.class, "subscribe", location, "reload"));
            }
            Set<Long> everyone = new HashSet<>(List.of(ProcessHandle.current().pid()));
            for (ChildJvm child : children) {
                everyone.add(Long.parseLong(child.awaitLine("READY", CHILD_TIMEOUT)));
            }
            assertThat(store.workers()).extracting(WorkerInfo::pid).containsExactlyInAnyOrderElementsOf(everyone);

            BroadcastResult result = store.broadcast("reload", "{\"v\":1}", Duration.ofSeconds(30));
            assertThat(result.acked()).containsExactlyInAnyOrderElementsOf(everyone);
            assertThat(result.missing()).isEmpty();
            for (ChildJvm child : children) {
                assertThat(child.awaitLine("GOT", CHILD_TIMEOUT)).isEqualTo("{\"v\":1}");
                child.send("sync");
                child.awaitLine("ECHO sync", CHILD_TIMEOUT);
                assertThat(child.linesSeen()).filteredOn(line -> line.startsWith("GOT")).hasSize(1);
            }
            assertThat(received).containsExactly("{\"v\":1}");

            ChildJvm killed = children.get(0);
            killed.kill();
            everyone.remove(killed.pid());
            assertThat(store.workers()).extracting(WorkerInfo::pid).containsExactlyInAnyOrderElementsOf(everyone);
            BroadcastResult second = store.broadcast("reload", "{\"v\":2}", Duration.ofSeconds(30));
            assertThat(second.acked()).containsExactlyInAnyOrderElementsOf(everyone);
            assertThat(second.complete()).isTrue();
        } finally {
            children.forEach(ChildJvm::close);
        }
    }

    private static <T> T decoded(JsonBytes json, Class<T> type) {
        try {
            return new ObjectMapper().readValue(json.toByteArray(), type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void awaitValue(LongSupplier value, long expected) {
        long deadline = System.nanoTime() + CHILD_TIMEOUT.toNanos();
        while (value.getAsLong() < expected) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("value stayed at " + value.getAsLong() + ", expected " + expected);
            }
            LockSupport.parkNanos(1_000_000);
        }
    }
}
