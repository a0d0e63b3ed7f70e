package io.hearth.file;

import io.hearth.JsonBytes;
import io.hearth.ReadCacheStats;
import io.hearth.SharedMap;
import io.hearth.SharedStore;
import io.hearth.Versioned;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The read cache within one process on the file store; the cross-process claims are in CrossProcessContract. */
class FileReadCacheTest {
    record Profile(String id, String name, long visits) {
    }

    /** Another type of the same JSON. */
    record ProfileView(String id, String name, long visits) {
    }

    /** A class with a public field: mutable, so never cached. */
    public static final class Mutable {
        public String id;
        public String name;
        public long visits;
    }

    @TempDir
    Path dir;

    private SharedStore open() {
        return SharedStore.open(dir.resolve("store.store"));
    }

    @Test
    void aRecordReadTwiceIsDecodedOnceAndTheSecondReadIsACountedHit() {
        try (SharedStore store = open()) {
            SharedMap<Profile> map = store.map("profiles", Profile.class);
            map.put("a", new Profile("a", "Ada", 1));
            Profile first = map.get("a");
            Profile second = map.get("a");
            assertThat(second).isEqualTo(new Profile("a", "Ada", 1)).isSameAs(first);
            ReadCacheStats stats = store.stats().readCache();
            assertThat(stats.misses()).isEqualTo(1);
            assertThat(stats.hits()).isEqualTo(1);
            assertThat(stats.size()).isEqualTo(1);
            assertThat(stats.maximumBytes()).isEqualTo(32L << 20);
            assertThat(stats.hitRatio()).isEqualTo(0.5);
        }
    }

    @Test
    void aMutableTypeIsNeverCachedSoTwoReadsNeverShareAnObject() {
        try (SharedStore store = open()) {
            store.map("profiles", Profile.class).put("a", new Profile("a", "Ada", 1));
            SharedMap<Mutable> mutable = store.map("profiles", Mutable.class);
            Mutable first = mutable.get("a");
            first.name = "changed by the caller";
            assertThat(mutable.get("a")).isNotSameAs(first).satisfies(second -> assertThat(second.name).isEqualTo("Ada"));

            SharedMap<ObjectNode> tree = store.map("profiles", ObjectNode.class);
            ObjectNode node = tree.get("a");
            node.put("name", "changed too");
            assertThat(tree.get("a").get("name").asText()).isEqualTo("Ada");

            @SuppressWarnings({"unchecked", "rawtypes"})
            SharedMap<Map<String, Object>> maps = (SharedMap) store.map("profiles", Map.class);
            maps.get("a").put("name", "and this");
            assertThat(maps.get("a")).containsEntry("name", "Ada");

            assertThat(store.stats().readCache().hits()).isZero();
            assertThat(store.stats().readCache().size()).isZero();
        }
    }

    @Test
    void aKeyReadAsOneTypeIsDecodedAgainWhenReadAsAnother() {
        try (SharedStore store = open()) {
            store.map("m", Profile.class).put("a", new Profile("a", "Ada", 1));
            assertThat(store.map("m", Profile.class).get("a")).isEqualTo(new Profile("a", "Ada", 1));
            assertThat(store.map("m", Profile.class).get("a")).isInstanceOf(Profile.class); // a hit
            SharedMap<ProfileView> view = store.map("m", ProfileView.class);
            assertThat(view.get("a")).isEqualTo(new ProfileView("a", "Ada", 1));
            assertThat(view.get("a")).isEqualTo(new ProfileView("a", "Ada", 1));
            assertThat(store.map("m", Profile.class).get("a")).isEqualTo(new Profile("a", "Ada", 1));
        }
    }

    @Test
    void aCachedEntryThatIsRemovedOrExpiresReadsAsAbsent() {
        try (SharedStore store = open()) {
            SharedMap<Profile> map = store.map("profiles", Profile.class);
            map.put("gone", new Profile("gone", "Bo", 1));
            map.get("gone");
            assertThat(map.get("gone")).isNotNull();
            map.remove("gone");
            assertThat(map.get("gone")).isNull();

            map.put("brief", new Profile("brief", "Cy", 1), Duration.ofMillis(200));
            assertThat(map.get("brief")).isNotNull();
            assertThat(map.get("brief")).isNotNull(); // a hit, while it lives
            waitPast(System.currentTimeMillis() + 200);
            assertThat(map.get("brief")).isNull();
            assertThat(map.getVersioned("brief")).isNull();
        }
    }

    @Test
    void aCachedEntryGivenAnExpiryAfterItWasReadIsAbsentFromItsDeadlineAndOneMadePersistentOutlivesItsOldOne() {
        try (SharedStore store = open()) {
            SharedMap<Profile> map = store.map("profiles", Profile.class);
            map.put("shortened", new Profile("shortened", "Di", 1));
            map.put("kept", new Profile("kept", "Ed", 1), Duration.ofMillis(200));
            assertThat(map.get("shortened")).isNotNull();
            assertThat(map.get("kept")).isNotNull();
            assertThat(map.get("shortened")).isNotNull(); // cached, and proven by the unchanged store
            assertThat(map.expire("shortened", Duration.ofMillis(200))).isTrue();
            assertThat(map.persist("kept")).isTrue();
            assertThat(map.get("shortened")).isNotNull();
            waitPast(System.currentTimeMillis() + 200);
            assertThat(map.get("shortened")).isNull();
            assertThat(map.get("kept")).isEqualTo(new Profile("kept", "Ed", 1));
        }
    }

    @Test
    void aPutOrUpdateThroughThisProcessIsWhatTheNextReadReturns() {
        try (SharedStore store = open()) {
            SharedMap<Profile> map = store.map("profiles", Profile.class);
            map.put("a", new Profile("a", "Ada", 1));
            assertThat(map.get("a").visits()).isEqualTo(1);
            long version = map.put("a", new Profile("a", "Ada", 2));
            assertThat(map.getVersioned("a")).isEqualTo(new Versioned<>(new Profile("a", "Ada", 2), version));
            map.update("a", p -> new Profile(p.id(), p.name(), p.visits() + 1));
            assertThat(map.get("a").visits()).isEqualTo(3);
            assertThat(map.replace("a", new Profile("a", "Ada", 3), new Profile("a", "Ada", 9))).isTrue();
            assertThat(map.get("a").visits()).isEqualTo(9);
            assertThat(map.compareAndPut("a", map.getVersioned("a").version(), new Profile("a", "Ada", 10))).isPositive();
            assertThat(map.get("a").visits()).isEqualTo(10);
        }
    }

    @Test
    void updatePassesItsFunctionTheCachedValueAndTheValueItWroteIsWhatTheNextReadReturns() {
        try (SharedStore store = open()) {
            SharedMap<Profile> map = store.map("profiles", Profile.class);
            map.put("a", new Profile("a", "Ada", 1));
            Profile cached = map.get("a");
            AtomicReference<Profile> given = new AtomicReference<>();
            Profile written = map.update("a", p -> {
                given.set(p);
                return new Profile(p.id(), p.name(), p.visits() + 1);
            });
            assertThat(given.get()).isSameAs(cached);
            long hits = store.stats().readCache().hits();
            assertThat(map.get("a")).isSameAs(written);
            assertThat(store.stats().readCache().hits()).isEqualTo(hits + 1);
        }
    }

    @Test
    void anExpirySetWhileAnUpdateFunctionRanIsKeptAndTheValueTheUpdateWroteExpiresWithIt() {
        try (SharedStore store = open()) {
            SharedMap<Profile> map = store.map("profiles", Profile.class);
            map.put("a", new Profile("a", "Ada", 1));
            map.get("a");
            map.update("a", p -> {
                map.expire("a", Duration.ofMillis(200)); // as another process might, between the read and the write
                return new Profile(p.id(), p.name(), p.visits() + 1);
            });
            assertThat(map.timeToLive("a")).isPresent();
            assertThat(map.get("a").visits()).isEqualTo(2);
            waitPast(System.currentTimeMillis() + 200);
            assertThat(map.get("a")).isNull();
        }
    }

    @Test
    void withAnObjectMapperOfTheUsersTheValueAnUpdateWroteIsDecodedByTheNextReadInstead() {
        try (SharedStore store = SharedStore.builder(dir.resolve("store.store")).objectMapper(new ObjectMapper()).open()) {
            SharedMap<Profile> map = store.map("profiles", Profile.class);
            Profile written = map.update("a", p -> new Profile("a", "Ada", 1));
            long misses = store.stats().readCache().misses();
            Profile read = map.get("a");
            assertThat(read).isEqualTo(written).isNotSameAs(written);
            assertThat(store.stats().readCache().misses()).isEqualTo(misses + 1);
            assertThat(map.get("a")).isSameAs(read);
        }
    }

    @Test
    void theCacheHoldsNoMoreThanItsBoundAllowsAndEveryReadIsStillRight() {
        long bound = 64 * 1024;
        try (SharedStore store = SharedStore.builder(dir.resolve("store.store")).readCacheBytes(bound).open()) {
            SharedMap<Profile> map = store.map("profiles", Profile.class);
            int keys = 5_000;
            for (int i = 0; i < keys; i++) {
                map.put("key-" + i, new Profile("key-" + i, "name " + i, i));
            }
            for (int round = 0; round < 2; round++) {
                for (int i = 0; i < keys; i++) {
                    assertThat(map.get("key-" + i).visits()).isEqualTo(i);
                }
            }
            ReadCacheStats stats = store.stats().readCache();
            // Each entry weighs at least 240 bytes (the fixed overhead) plus its key and JSON twice.
            assertThat(stats.size()).isPositive().isLessThanOrEqualTo(bound / 240);
            assertThat(stats.maximumBytes()).isEqualTo(bound);
            assertThat(stats.hits() + stats.misses()).isEqualTo(2L * keys);
        }
    }

    @Test
    void aStoreWithTheCacheOffReadsAsWithoutOneAndReportsItOff() {
        try (SharedStore store = SharedStore.builder(dir.resolve("store.store")).readCacheBytes(0).open()) {
            SharedMap<Profile> map = store.map("profiles", Profile.class);
            map.put("a", new Profile("a", "Ada", 1));
            Profile first = map.get("a");
            assertThat(map.get("a")).isEqualTo(first).isNotSameAs(first);
            assertThat(store.stats().readCache()).isEqualTo(ReadCacheStats.OFF);
        }
        assertThatThrownBy(() -> SharedStore.builder(dir.resolve("store.store")).readCacheBytes(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("readCacheBytes");
    }

    @Test
    void threadsReadingAndUpdatingOneKeyThroughTheCacheLoseNoUpdate() throws InterruptedException {
        try (SharedStore store = open()) {
            SharedMap<Profile> map = store.map("profiles", Profile.class);
            int threads = 4;
            int updates = 5_000;
            List<Thread> workers = new ArrayList<>();
            List<Throwable> failures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Thread worker = new Thread(() -> {
                    long seen = 0;
                    for (int i = 0; i < updates; i++) {
                        Profile read = map.get("shared");
                        long visits = read == null ? 0 : read.visits();
                        if (visits < seen) {
                            throw new AssertionError("read " + visits + " after " + seen);
                        }
                        seen = map.update("shared", p -> new Profile("shared", "s", p == null ? 1 : p.visits() + 1)).visits();
                    }
                });
                worker.setUncaughtExceptionHandler((thread, e) -> {
                    synchronized (failures) {
                        failures.add(e);
                    }
                });
                workers.add(worker);
            }
            workers.forEach(Thread::start);
            for (Thread worker : workers) {
                worker.join();
            }
            assertThat(failures).isEmpty();
            assertThat(map.get("shared").visits()).isEqualTo((long) threads * updates);
        }
    }

    @Test
    void jsonBytesAreStoredAsGivenReadBackAsTheyWereAndServedFromTheCacheWhileTheEntryHoldsThem() {
        try (SharedStore store = open()) {
            SharedMap<JsonBytes> raw = store.map("profiles", JsonBytes.class);
            String sent = "{ \"id\": \"a\", \"name\": \"Ada\", \"visits\": 1e0 }";
            long version = raw.put("a", JsonBytes.of(sent));
            Versioned<JsonBytes> first = raw.getVersioned("a");
            assertThat(first.version()).isEqualTo(version);
            assertThat(first.value().toString()).isEqualTo(sent); // no mapper touched it
            assertThat(raw.get("a")).isSameAs(first.value());
            assertThat(store.stats().readCache().hits()).isEqualTo(1);

            // The same entry read as a record decodes those bytes; a record written is read as its JSON.
            SharedMap<Profile> profiles = store.map("profiles", Profile.class);
            assertThat(profiles.get("a")).isEqualTo(new Profile("a", "Ada", 1));
            profiles.put("b", new Profile("b", "Bo", 2));
            assertThat(raw.get("b").toString()).isEqualTo("{\"id\":\"b\",\"name\":\"Bo\",\"visits\":2}");

            // An update's result is cached at the version it wrote: the next read decodes nothing.
            JsonBytes next = raw.update("a", current -> JsonBytes.of("[2]"));
            long missesBefore = store.stats().readCache().misses();
            assertThat(raw.get("a")).isSameAs(next);
            assertThat(store.stats().readCache().misses()).isEqualTo(missesBefore);
            assertThat(profiles.getVersioned("b").version()).isGreaterThan(version);
        }
    }

    @Test
    void aCachedSnapshotAnswersOnlyWhileNothingInTheStoreHasChangedSinceTheEntryWasProven() {
        try (SharedStore store = open(); SharedStore other = open()) {
            SharedMap<Profile> map = store.map("profiles", Profile.class);
            map.put("a", new Profile("a", "Ada", 1), Duration.ofMinutes(5));
            assertThat(map.cachedSnapshot("a")).as("not read yet, so not cached").isNull();
            Versioned<Profile> read = map.getVersioned("a");
            var cached = map.cachedSnapshot("a");
            assertThat(cached.value()).isSameAs(read.value());
            assertThat(cached.version()).isEqualTo(read.version());
            assertThat(cached.expiresAt()).isAfter(java.time.Instant.now().plus(Duration.ofMinutes(4)));

            other.map("elsewhere", Profile.class).put("b", new Profile("b", "Bo", 2)); // any change in the store
            assertThat(map.cachedSnapshot("a")).as("a change anywhere: proof needs the store").isNull();
            assertThat(map.get("a")).isSameAs(read.value()); // proven again by its version, under the key's lock
            assertThat(map.cachedSnapshot("a")).isNotNull();
            other.map("profiles", Profile.class).put("a", new Profile("a", "Ada", 2));
            assertThat(map.cachedSnapshot("a")).isNull();
            assertThat(map.get("a").visits()).isEqualTo(2);
            assertThat(store.map("mutable", Mutable.class).cachedSnapshot("a")).as("a mutable type is never cached").isNull();
        }
    }

    /** Waits until the clock is past deadline (epoch ms), with 20 ms to spare. */
    private static void waitPast(long deadline) {
        while (System.currentTimeMillis() <= deadline + 20) {
            LockSupport.parkNanos(5_000_000);
        }
    }
}
