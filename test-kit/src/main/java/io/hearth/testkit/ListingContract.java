package io.hearth.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.hearth.CounterSnapshot;
import io.hearth.EntrySnapshot;
import io.hearth.SharedCounter;
import io.hearth.SharedMap;
import io.hearth.SharedStore;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * What a tool that walks a whole store needs, written once for every backend: the names of the
 * maps and counters ({@link SharedStore#mapNames()}, {@link SharedStore#counterNames()}) and an
 * entry's or counter's value, version and expiry from one read ({@link SharedMap#snapshot},
 * {@link SharedCounter#snapshot()}). {@code FileListingTest} runs it on the file store,
 * {@code RedisListingTest} on Redis.
 */
public abstract class ListingContract {
    /** This test's fresh store, as {@link Stores#open} takes it. */
    protected abstract String store();

    protected SharedStore open() {
        return Stores.open(store());
    }

    @Test
    void aFreshStoreHasNoMapsAndNoCounters() {
        try (SharedStore store = open()) {
            assertThat(store.mapNames()).isEmpty();
            assertThat(store.counterNames()).isEmpty();
        }
    }

    @Test
    void mapNamesAreTheMapsWithALiveEntrySorted() {
        try (SharedStore store = open()) {
            store.map("users", Tally.class).put("ada", new Tally(1));
            store.map("users", Tally.class).put("bob", new Tally(2));
            store.map("a map with spaces * and [glob] characters", Tally.class).put("k", new Tally(3));
            store.map("été", Tally.class).put("k", new Tally(4));
            SharedMap<Tally> emptied = store.map("emptied", Tally.class);
            emptied.put("k", new Tally(5));
            emptied.remove("k");

            assertThat(store.mapNames()).containsExactly("a map with spaces * and [glob] characters", "users", "été");
        }
    }

    @Test
    void aMapWhoseEveryEntryExpiredIsNotListedEvenBeforeTheSweep() {
        try (SharedStore store = open()) {
            store.map("kept", Tally.class).put("k", new Tally(1));
            store.map("kept", Tally.class).put("brief", new Tally(2), Duration.ofMillis(50));
            store.map("brief", Tally.class).put("k", new Tally(3), Duration.ofMillis(50));

            awaitTrue(() -> store.map("brief", Tally.class).get("k") == null && store.map("kept", Tally.class).get("brief") == null);

            assertThat(store.mapNames()).containsExactly("kept");
        }
    }

    @Test
    void counterNamesAreTheLiveCountersSortedAndListingThemCreatesNone() {
        try (SharedStore store = open()) {
            store.counter("hits").incrementAndGet();
            store.counter("named only");
            store.counter("removed").set(4);
            store.removeCounter("removed");
            store.counter("brief", Duration.ofMillis(50)).incrementAndGet();
            store.counter("lasting", Duration.ofHours(1)).incrementAndGet();
            assertThat(store.findCounter("never")).isEmpty();

            awaitTrue(() -> store.counter("brief").timeToLive().isEmpty());

            assertThat(store.counterNames()).containsExactly("hits", "lasting", "named only");
            assertThat(store.counterNames()).containsExactly("hits", "lasting", "named only");
            assertThat(store.stats().counters()).as("no name taken by listing").isLessThanOrEqualTo(4);
        }
    }

    @Test
    void anEntrysSnapshotHoldsItsValueVersionAndExpiryFromOneRead() {
        try (SharedStore store = open()) {
            SharedMap<Tally> map = store.map("m", Tally.class);
            long forever = map.put("forever", new Tally(1));
            Instant before = Instant.now();
            long expiring = map.put("expiring", new Tally(2), Duration.ofHours(1));

            EntrySnapshot<Tally> plain = map.snapshot("forever");
            EntrySnapshot<Tally> timed = map.snapshot("expiring");

            assertThat(plain).isEqualTo(new EntrySnapshot<>("m", "forever", new Tally(1), forever, null));
            assertThat(plain.timeToLive()).isEmpty();
            assertThat(timed.value()).isEqualTo(new Tally(2));
            assertThat(timed.version()).isEqualTo(expiring);
            assertThat(timed.expiresAt()).isAfter(before.plus(Duration.ofMinutes(59))).isBefore(Instant.now().plus(Duration.ofMinutes(61)));
            assertThat(timed.timeToLive()).hasValueSatisfying(left ->
                    assertThat(left).isPositive().isLessThanOrEqualTo(Duration.ofHours(1)));
            assertThat(map.snapshot("absent")).isNull();
        }
    }

    @Test
    void aCountersSnapshotHoldsItsValueAndExpiryAndIsNullOnceItIsGone() {
        try (SharedStore store = open()) {
            store.counter("plain").addAndGet(41);
            store.counter("plain").incrementAndGet();
            SharedCounter timed = store.counter("timed", Duration.ofHours(1));
            timed.set(-7);
            SharedCounter removed = store.counter("removed");
            removed.set(3);
            store.removeCounter("removed");

            CounterSnapshot plain = store.counter("plain").snapshot();
            CounterSnapshot expiring = timed.snapshot();

            assertThat(plain).isEqualTo(new CounterSnapshot("plain", 42, null));
            assertThat(plain.timeToLive()).isEmpty();
            assertThat(expiring.name()).isEqualTo("timed");
            assertThat(expiring.value()).isEqualTo(-7);
            assertThat(expiring.expiresAt()).isAfter(Instant.now().plus(Duration.ofMinutes(59)));
            assertThat(expiring.timeToLive()).hasValueSatisfying(left -> assertThat(left).isPositive());
            assertThat(store.counter("named only").snapshot()).isEqualTo(new CounterSnapshot("named only", 0, null));
            assertThat(removed.snapshot()).isNull();
            assertThat(store.counterNames()).doesNotContain("removed");
            timed.persist();
            assertThat(timed.snapshot()).isEqualTo(new CounterSnapshot("timed", -7, null));
        }
    }

    @Test
    void anExpiredCountersSnapshotIsNull() {
        try (SharedStore store = open()) {
            SharedCounter brief = store.counter("brief", Duration.ofMillis(50));
            brief.incrementAndGet();

            awaitTrue(() -> brief.timeToLive().isEmpty());

            assertThat(brief.snapshot()).isNull();
        }
    }

    /** Waits, polling, until condition holds; fails after 10 s (a bound for a stuck test, not a timing claim). */
    private static void awaitTrue(BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline).as("condition still false after 10 s").isNegative();
            LockSupport.parkNanos(5_000_000);
        }
    }
}
