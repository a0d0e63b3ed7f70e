package io.hearth.testkit;

import io.hearth.BroadcastResult;
import io.hearth.HearthException;
import io.hearth.SharedCounter;
import io.hearth.SharedMap;
import io.hearth.SharedStore;
import io.hearth.StoreClosedException;
import io.hearth.Subscription;
import io.hearth.Versioned;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What every backend's store does, written once: {@code FileStoreTest} runs it on the
 * memory-mapped file, {@code RedisStoreTest} (module redis) on Redis. Each test gets a fresh store.
 */
public abstract class StoreContract {
    /** This test's fresh store, as {@link Stores#open} takes it: the same for every call within one test. */
    protected abstract String store();

    /** Opens this test's store with these capacity settings. */
    protected abstract SharedStore openWithLimits(TestLimits limits);

    /** What {@link SharedStore#location()} says for {@link #store()}: the file path, or the URI without credentials. */
    protected abstract String expectedLocation();

    /** Opens this test's store. */
    protected SharedStore open() {
        return Stores.open(store());
    }

    @Test
    void everyWriteGetsAHigherVersionEvenAfterTheKeyIsRemovedAndWrittenAgain() {
        try (SharedStore store = open()) {
            SharedMap<Tally> map = store.map("m", Tally.class);
            long first = map.put("k", new Tally(1));
            long second = map.put("k", new Tally(2));
            map.remove("k");
            long third = map.put("k", new Tally(3));
            long other = map.put("other", new Tally(0));

            assertThat(first).isPositive();
            assertThat(second).isGreaterThan(first);
            assertThat(third).isGreaterThan(second);
            assertThat(other).isGreaterThan(third);
            assertThat(map.getVersioned("k")).isEqualTo(new Versioned<>(new Tally(3), third));
        }
    }

    @Test
    void aWriteAtAStaleVersionChangesNothing() {
        try (SharedStore store = open()) {
            SharedMap<Tally> map = store.map("m", Tally.class);
            long seen = map.put("k", new Tally(1));
            long newer = map.compareAndPut("k", seen, new Tally(2));

            assertThat(newer).isGreaterThan(seen);
            assertThat(map.compareAndPut("k", seen, new Tally(3))).isZero();
            assertThat(map.compareAndRemove("k", seen)).isFalse();
            assertThat(map.getVersioned("k")).isEqualTo(new Versioned<>(new Tally(2), newer));
            assertThat(map.compareAndPut("k", SharedMap.ABSENT, new Tally(4))).as("only if absent").isZero();
            assertThat(map.compareAndPut("fresh", SharedMap.ABSENT, new Tally(5))).isPositive();
            assertThat(map.compareAndRemove("k", newer)).isTrue();
            assertThat(map.get("k")).isNull();
        }
    }

    @Test
    void aNegativeExpectedVersionIsRefusedByCompareAndRemoveAsByCompareAndPut() {
        try (SharedStore store = open()) {
            SharedMap<Tally> map = store.map("m", Tally.class);
            long version = map.put("k", new Tally(1));

            assertThatThrownBy(() -> map.compareAndRemove("k", -1))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
            assertThatThrownBy(() -> map.compareAndRemove("k", Long.MIN_VALUE))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(Long.toString(Long.MIN_VALUE));
            assertThatThrownBy(() -> map.compareAndPut("k", -1, new Tally(2)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
            assertThat(map.getVersioned("k")).isEqualTo(new Versioned<>(new Tally(1), version));
            assertThat(map.compareAndRemove("k", SharedMap.ABSENT)).as("an entry is never at version 0").isFalse();
            assertThat(map.compareAndRemove("absent", SharedMap.ABSENT)).isFalse();
            assertThat(map.get("k")).isEqualTo(new Tally(1));
        }
    }

    @Test
    void keysThatDifferOnlyByUnicodeNormalizationAreTwoKeys() {
        try (SharedStore store = open()) {
            SharedMap<Tally> map = store.map("m", Tally.class);
            String composed = "caf\u00e9";   // é as one code point
            String decomposed = "cafe\u0301"; // e, then the combining acute accent
            map.put(composed, new Tally(1));
            map.put(decomposed, new Tally(2));

            assertThat(map.get(composed)).isEqualTo(new Tally(1));
            assertThat(map.get(decomposed)).isEqualTo(new Tally(2));
            assertThat(map.keys()).containsExactlyInAnyOrder(composed, decomposed);
        }
    }

    @Test
    void putIfAbsentReplaceAndUpdateFollowTheirContracts() {
        try (SharedStore store = open()) {
            SharedMap<Tally> map = store.map("m", Tally.class);
            assertThat(map.putIfAbsent("k", new Tally(1))).isNull();
            assertThat(map.putIfAbsent("k", new Tally(2))).isEqualTo(new Tally(1));
            assertThat(map.replace("k", new Tally(5), new Tally(6))).isFalse();
            assertThat(map.replace("k", new Tally(1), new Tally(6))).isTrue();
            assertThat(map.get("k")).isEqualTo(new Tally(6));
            assertThat(map.update("new", old -> old == null ? new Tally(10) : old.next())).isEqualTo(new Tally(10));
            assertThat(map.update("new", old -> old == null ? new Tally(10) : old.next())).isEqualTo(new Tally(11));
            assertThat(map.update("new", old -> null)).as("null removes").isNull();
            assertThat(map.get("new")).isNull();
            assertThat(map.remove("k")).isEqualTo(new Tally(6));
            assertThat(map.remove("k")).isNull();
        }
    }

    @Test
    void mapsWithTheSameKeysAreSeparateAndListSortedSnapshots() {
        try (SharedStore store = open()) {
            SharedMap<Tally> a = store.map("a", Tally.class);
            SharedMap<Tally> b = store.map("b", Tally.class);
            a.put("user:2", new Tally(2));
            a.put("user:1", new Tally(1));
            a.put("group:1", new Tally(9));
            b.put("user:1", new Tally(100));

            assertThat(a.keys()).containsExactly("group:1", "user:1", "user:2");
            assertThat(a.keys("user:", 1)).containsExactly("user:1");
            assertThat(a.entries()).containsExactly(Map.entry("group:1", new Tally(9)),
                    Map.entry("user:1", new Tally(1)), Map.entry("user:2", new Tally(2)));
            assertThat(a.size()).isEqualTo(3);
            assertThat(b.get("user:1")).isEqualTo(new Tally(100));

            a.clear();
            assertThat(a.size()).isZero();
            assertThat(b.keys()).containsExactly("user:1");
            assertThat(store.stats().entries()).isEqualTo(1);
        }
    }

    @Test
    void valuesCanBeAnythingJacksonReadsAndWrites() throws Exception {
        try (SharedStore store = open()) {
            JsonNode tree = new ObjectMapper().readTree("{\"name\":\"ada\",\"tags\":[\"a\",\"b\"],\"nested\":{\"x\":1.5}}");
            store.map("trees", JsonNode.class).put("k", tree);
            store.map("maps", Map.class).put("k", Map.of("n", 1));

            assertThat(store.map("trees", JsonNode.class).get("k")).isEqualTo(tree);
            assertThat(store.map("maps", Map.class).get("k")).isEqualTo(Map.of("n", 1));
        }
    }

    @Test
    void readingAnEntryAsATypeItDoesNotFitNamesTheEntryAndTheType() {
        try (SharedStore store = open()) {
            store.map("m", Map.class).put("k", Map.of("unexpected", true));
            assertThatThrownBy(() -> store.map("m", Tally.class).get("k"))
                    .isInstanceOf(HearthException.class)
                    .hasMessageContaining("entry 'k' of map 'm'").hasMessageContaining(Tally.class.getName());
        }
    }

    @Test
    void aValueOfTheLargestAllowedSizeIsStoredEvenInASmallStore() {
        try (SharedStore store = openWithLimits(new TestLimits(2, 4096, 1 << 20))) {
            String text = "x".repeat((1 << 20) - 2); // the JSON string adds two quotes
            store.map("big", String.class).put("k", text);
            assertThat(store.map("big", String.class).get("k")).isEqualTo(text);
        }
    }

    @Test
    void threadsOfOneProcessShareCountersAndMapsAtomically() throws Exception {
        try (SharedStore store = open()) {
            SharedCounter counter = store.counter("hits");
            SharedMap<Tally> map = store.map("m", Tally.class);
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                threads.add(new Thread(() -> {
                    for (int i = 0; i < 20_000; i++) {
                        store.counter("hits").incrementAndGet();
                        if (i % 10 == 0) {
                            map.update("k", old -> old == null ? new Tally(1) : old.next());
                        }
                    }
                }));
            }
            threads.forEach(Thread::start);
            for (Thread thread : threads) {
                thread.join();
            }
            assertThat(counter.get()).isEqualTo(80_000);
            assertThat(map.get("k")).isEqualTo(new Tally(8_000));
        }
    }

    @Test
    void aRemovedCounterIsGoneForEveryReaderAndAWriteThroughAnOldHandleStartsItAgainFromZero() {
        try (SharedStore store = open(); SharedStore other = open()) {
            SharedCounter hits = store.counter("hits");
            hits.addAndGet(41);
            SharedCounter elsewhere = other.counter("hits");
            assertThat(elsewhere.get()).isEqualTo(41);

            assertThat(other.removeCounter("hits")).isTrue();

            assertThat(other.removeCounter("hits")).as("removed twice").isFalse();
            assertThat(store.findCounter("hits")).isEmpty();
            assertThat(hits.get()).as("an old handle reads a removed counter").isZero();
            assertThat(store.stats().counters()).isZero();
            assertThat(hits.incrementAndGet()).as("a write through an old handle names it again").isEqualTo(1);
            assertThat(elsewhere.get()).isEqualTo(1);
            assertThat(store.findCounter("hits")).isPresent();
            assertThat(store.removeCounter("never")).isFalse();
        }
    }

    @Test
    void countersStartAtZeroAndSupportEveryAtomicOperation() {
        try (SharedStore store = open()) {
            SharedCounter counter = store.counter("c");
            assertThat(counter.get()).isZero();
            assertThat(counter.incrementAndGet()).isEqualTo(1);
            assertThat(counter.addAndGet(10)).isEqualTo(11);
            assertThat(counter.getAndAdd(-1)).isEqualTo(11);
            assertThat(counter.compareAndSet(5, 0)).isFalse();
            assertThat(counter.compareAndSet(10, 0)).isTrue();
            counter.set(Long.MAX_VALUE);
            assertThat(counter.incrementAndGet()).as("wraps like AtomicLong").isEqualTo(Long.MIN_VALUE);
            assertThat(store.counter("c")).isSameAs(counter);
            assertThat(store.stats().counters()).isEqualTo(1);
        }
    }

    @Test
    void closingTwiceIsSafeAndUseAfterCloseFailsClearly() {
        SharedStore store = open();
        assertThat(store.location()).isEqualTo(expectedLocation());
        SharedCounter counter = store.counter("c");
        SharedMap<Tally> map = store.map("m", Tally.class);
        store.close();
        store.close();

        assertThat(catchThrowableOfType(StoreClosedException.class, counter::incrementAndGet)).hasMessageContaining(expectedLocation());
        assertThatThrownBy(() -> map.get("k")).isInstanceOf(StoreClosedException.class);
        assertThatThrownBy(store::workers).isInstanceOf(StoreClosedException.class);
        try (SharedStore reopened = open()) {
            assertThat(reopened.workers()).as("the closed store detached").hasSize(1);
        }
    }

    @Test
    void aProcessSeesItsOwnBroadcastsAndClosedSubscriptionsStopReceiving() throws Exception {
        try (SharedStore store = open()) {
            List<String> got = new CopyOnWriteArrayList<>();
            CountDownLatch first = new CountDownLatch(1);
            Subscription subscription = store.subscribe("t", message -> {
                got.add(message.topic() + ":" + message.payload() + ":" + message.senderPid());
                first.countDown();
            });
            BroadcastResult result = store.broadcast("t", "one", Duration.ofSeconds(10));
            assertThat(first.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(result.acked()).containsExactly(ProcessHandle.current().pid());
            subscription.close();
            subscription.close();
            assertThat(store.broadcast("t", "two", Duration.ofSeconds(10)).complete()).isTrue();
            assertThat(got).containsExactly("t:one:" + ProcessHandle.current().pid());
        }
    }

    @Test
    void moreBroadcastsThanTheRingHoldsAreAllDeliveredInOrder() {
        try (SharedStore store = open()) {
            List<String> got = new CopyOnWriteArrayList<>();
            store.subscribe("t", message -> got.add(message.payload()));
            List<String> sent = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                sent.add("m" + i);
                store.broadcast("t", "m" + i, Duration.ZERO);
            }
            assertThat(store.broadcast("t", "last", Duration.ofSeconds(10)).complete()).isTrue();
            sent.add("last");
            assertThat(got).containsExactlyElementsOf(sent);
        }
    }
}
