package io.hearth.redis;

import static io.hearth.redis.RedisCalls.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.hearth.SharedMap;
import io.hearth.SharedStore;
import io.hearth.StoreFullException;
import io.hearth.spi.CounterCell;
import io.hearth.spi.StoreBackend;
import io.hearth.testkit.RedisServerExtension;
import io.hearth.testkit.Stores;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/**
 * What expiry on Redis does beyond {@code ExpiryContract}: the layout it writes, the sweep that
 * deletes what has expired, and the counts. Tests that must see what is in Redis before anything
 * swept it open the backend without starting delivery, so no heartbeat runs.
 */
class RedisExpirySweepTest {
    @RegisterExtension
    static final RedisServerExtension redis = new RedisServerExtension();
    private static final long SHORT_MILLIS = 300;
    private static final byte[] JSON = bytes("\"v\"");

    private final String uri = redis.freshStoreUri();
    private final String prefix = uri.substring(uri.indexOf("prefix=") + "prefix=".length());

    @Test
    void anEntryThatExpiresIsStoredAsVersionSlashDeadlineAndIndexedWhileOneThatDoesNotKeepsTheFormatOfBefore() {
        try (SharedStore store = Stores.open(uri); Jedis jedis = jedis()) {
            SharedMap<String> map = store.map("m", String.class);
            map.put("plain", "a");
            map.put("expiring", "b", Duration.ofMinutes(5));

            assertThat(jedis.hget(prefix + "m:m", "plain")).matches("\\d+:\"a\"");
            assertThat(jedis.hget(prefix + "m:m", "expiring")).matches("\\d+/\\d{13}:\"b\"");
            assertThat(jedis.zscore(prefix + "expiring-entries", "m\0expiring")).isNotNull();
            assertThat(map.persist("expiring")).isTrue();
            assertThat(jedis.hget(prefix + "m:m", "expiring")).matches("\\d+:\"b\"");
            assertThat(jedis.zscore(prefix + "expiring-entries", "m\0expiring")).isNull();
        }
    }

    @Test
    void expiredEntriesAreAbsentBeforeAnythingDeletesThemAndStatsDeletesThemFirstSoTheCountFalls() {
        try (StoreBackend backend = backend(uri); Jedis jedis = jedis()) {
            long expiresAt = System.currentTimeMillis() + SHORT_MILLIS;
            for (int i = 0; i < 3; i++) {
                backend.write("m", "k" + i, StoreBackend.ANY, JSON, expiresAt);
            }
            backend.write("m", "forever", StoreBackend.ANY, JSON, StoreBackend.NO_EXPIRY);
            awaitPast(expiresAt);

            assertThat(jedis.hlen(prefix + "m:m")).as("no heartbeat runs: nothing deleted them yet").isEqualTo(4);
            List<String> listed = new ArrayList<>();
            backend.forEachKey("m", listed::add);
            assertThat(listed).containsExactly("forever");
            assertThat(backend.get("m", "k0")).isNull();

            assertThat(backend.stats().entries()).isEqualTo(1);
            assertThat(jedis.hlen(prefix + "m:m")).isEqualTo(1);
            assertThat(jedis.zcard(prefix + "expiring-entries")).isZero();
        }
    }

    @Test
    void writingOverOrRemovingAnExpiredEntryCountsItOnce() {
        try (StoreBackend backend = backend(uri); Jedis jedis = jedis()) {
            long expiresAt = System.currentTimeMillis() + SHORT_MILLIS;
            backend.write("m", "overwritten", StoreBackend.ANY, JSON, expiresAt);
            backend.write("m", "removed", StoreBackend.ANY, JSON, expiresAt);
            awaitPast(expiresAt);

            assertThat(backend.write("m", "overwritten", StoreBackend.ABSENT, JSON, StoreBackend.NO_EXPIRY)).isPositive();
            assertThat(backend.remove("m", "removed", StoreBackend.ANY)).as("an expired entry is absent").isNull();

            assertThat(jedis.hexists(prefix + "m:m", "removed")).as("but the remove deleted its field").isFalse();
            assertThat(jedis.get(prefix + "entries")).isEqualTo("1");
            assertThat(backend.stats().entries()).isEqualTo(1);
        }
    }

    @Test
    void aFullStoreDeletesWhatHasExpiredBeforeItRefusesANewKey() {
        String full = redis.server().freshStoreUri("maxEntries=2");
        try (StoreBackend backend = backend(full)) {
            long expiresAt = System.currentTimeMillis() + SHORT_MILLIS;
            backend.write("m", "a", StoreBackend.ANY, JSON, expiresAt);
            backend.write("m", "b", StoreBackend.ANY, JSON, StoreBackend.NO_EXPIRY);
            awaitPast(expiresAt);

            assertThat(backend.write("m", "c", StoreBackend.ANY, JSON, StoreBackend.NO_EXPIRY)).isPositive();
            StoreFullException thrown = catchThrowableOfType(StoreFullException.class,
                    () -> backend.write("m", "d", StoreBackend.ANY, JSON, StoreBackend.NO_EXPIRY));
            assertThat(thrown).isNotNull().hasMessageContaining("it holds 2 entries");
        }
    }

    @Test
    void anExpiredCounterIsAbsentAtOnceAndItsNameLeavesTheSetBeforeTheCapRefusesANewOne() {
        String capped = redis.server().freshStoreUri("maxCounters=2");
        String cappedPrefix = capped.substring(capped.indexOf("prefix=") + "prefix=".length(), capped.indexOf('&'));
        try (StoreBackend backend = backend(capped); Jedis jedis = jedis()) {
            CounterCell window = backend.counter("window", SHORT_MILLIS);
            long expiresAt = System.currentTimeMillis() + SHORT_MILLIS;
            window.getAndAdd(1);
            backend.counter("plain", 0).set(5);
            awaitPast(expiresAt);

            assertThat(jedis.sismember(cappedPrefix + "counters", "window")).as("no heartbeat runs: the name is still there").isTrue();
            assertThat(backend.findCounter("window")).isNull();
            assertThat(window.get()).isZero();

            backend.counter("third", 0);
            assertThat(jedis.sismember(cappedPrefix + "counters", "window")).isFalse();
            assertThat(backend.stats().counters()).isEqualTo(2);
            StoreFullException thrown = catchThrowableOfType(StoreFullException.class, () -> window.getAndAdd(1));
            assertThat(thrown).as("a write through the old cell needs a name again").isNotNull()
                    .hasMessageContaining("2 counter names are in use");
        }
    }

    @Test
    void aCounterThatACellCreatesGetsTheCellsTimeToLiveInTheSameStepAndWritesKeepIt() {
        try (StoreBackend backend = backend(uri); Jedis jedis = jedis()) {
            String key = prefix + "c:window";
            CounterCell window = backend.counter("window", 60_000);
            assertThat(jedis.pttl(key)).as("created at zero with its expiry").isBetween(1L, 60_000L);
            assertThat(jedis.zscore(prefix + "expiring-counters", "window")).isNotNull();

            assertThat(backend.removeCounter("window")).isTrue();
            assertThat(jedis.exists(key)).isFalse();
            window.getAndAdd(1);
            assertThat(jedis.pttl(key)).as("created again by a write, with its expiry").isBetween(1L, 60_000L);
            window.set(7);
            assertThat(window.compareAndSet(7, 8)).isTrue();
            assertThat(jedis.pttl(key)).as("set and compare-and-set keep it").isBetween(1L, 60_000L);

            assertThat(window.expireAt(StoreBackend.NO_EXPIRY)).isTrue();
            assertThat(jedis.pttl(key)).isEqualTo(-1);
            assertThat(jedis.zscore(prefix + "expiring-counters", "window")).isNull();

            CounterCell plain = backend.counter("plain", 0);
            assertThat(jedis.exists(prefix + "c:plain")).as("a counter without expiry is only named until written").isFalse();
            assertThat(backend.findCounter("plain")).isNotNull();
            assertThat(plain.expiresAt()).isEqualTo(StoreBackend.NO_EXPIRY);
        }
    }

    @Test
    void theHeartbeatDeletesExpiredEntriesAndForgetsExpiredCountersWithoutAnyCallOfTheStore() {
        try (SharedStore store = Stores.open(uri); Jedis jedis = jedis()) {
            store.map("m", String.class).put("k", "v", Duration.ofMillis(SHORT_MILLIS));
            store.counter("window", Duration.ofMillis(SHORT_MILLIS)).incrementAndGet();

            long giveUp = System.currentTimeMillis() + 10_000;
            while (jedis.exists(prefix + "m:m") || jedis.sismember(prefix + "counters", "window")) {
                assertThat(System.currentTimeMillis()).as("the heartbeat sweeps every second; 10 s passed").isLessThan(giveUp);
                LockSupport.parkNanos(50_000_000);
            }
            assertThat(jedis.get(prefix + "entries")).isEqualTo("0");
            assertThat(jedis.exists(prefix + "expiring-entries", prefix + "expiring-counters")).isZero();
        }
    }

    @Test
    void threadsRacingToPutIfAbsentOverAnExpiredEntryHaveExactlyOneWinnerEachRound() throws Exception {
        int threads = 8;
        int rounds = 20;
        try (SharedStore store = Stores.open(uri)) {
            SharedMap<String> locks = store.map("locks", String.class);
            long expiresAt = System.currentTimeMillis() + SHORT_MILLIS;
            for (int round = 0; round < rounds; round++) {
                locks.put("lock-" + round, "expired", Duration.ofMillis(SHORT_MILLIS));
            }
            awaitPast(expiresAt);

            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                for (int round = 0; round < rounds; round++) {
                    String lock = "lock-" + round;
                    CyclicBarrier start = new CyclicBarrier(threads);
                    List<Future<String>> held = new ArrayList<>();
                    for (int t = 0; t < threads; t++) {
                        String me = "thread-" + t;
                        held.add(pool.submit(() -> {
                            start.await();
                            return locks.putIfAbsent(lock, me, Duration.ofMinutes(1)) == null ? me : null;
                        }));
                    }
                    List<String> winners = new ArrayList<>();
                    for (Future<String> outcome : held) {
                        String winner = outcome.get(30, TimeUnit.SECONDS);
                        if (winner != null) {
                            winners.add(winner);
                        }
                    }
                    assertThat(winners).as(lock).hasSize(1);
                    assertThat(locks.get(lock)).isEqualTo(winners.get(0));
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(store.stats().entries()).isEqualTo(rounds);
        }
    }

    private static StoreBackend backend(String uri) {
        return RedisBackend.open(RedisSettings.parse(URI.create(uri)));
    }

    private static Jedis jedis() {
        return new Jedis("127.0.0.1", redis.server().port());
    }

    private static void awaitPast(long expiresAt) {
        while (System.currentTimeMillis() < expiresAt + 50) {
            LockSupport.parkNanos(10_000_000);
        }
    }
}
