package io.hearth.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hearth.SharedCounter;
import io.hearth.SharedMap;
import io.hearth.SharedStore;
import io.hearth.Versioned;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * Expiry, written once for every backend: {@code FileExpiryTest} runs it on the file store,
 * {@code RedisExpiryTest} on Redis. The times to live are short (hundreds of milliseconds); a test
 * that finds it was held up past a deadline it meant to read before starts that round again.
 */
public abstract class ExpiryContract {
    private static final Duration SHORT = Duration.ofMillis(300);

    public record Session(String user) {
    }

    public record Report(String day, long visits) {
    }

    /** This test's fresh store, as {@link Stores#open} takes it. */
    protected abstract String store();

    protected SharedStore open() {
        return Stores.open(store());
    }

    @Test
    void anEntryWithATimeToLiveIsReadBeforeItsDeadlineAndIsAbsentFromEveryReadPathAfter() {
        try (SharedStore store = open()) {
            SharedMap<Tally> map = store.map("sessions", Tally.class);
            map.put("forever", new Tally(0));
            long started = writeAndReadBeforeDeadline(() -> map.put("k", new Tally(1), SHORT), () -> {
                assertThat(map.get("k")).isEqualTo(new Tally(1));
                assertThat(map.keys()).contains("k");
                assertThat(map.timeToLive("k")).hasValueSatisfying(left -> assertThat(left).isLessThanOrEqualTo(SHORT));
            });
            awaitPast(started, SHORT);

            assertThat(map.get("k")).isNull();
            assertThat(map.getVersioned("k")).isNull();
            assertThat(map.keys()).containsExactly("forever");
            assertThat(map.entries()).containsOnlyKeys("forever");
            assertThat(map.size()).isEqualTo(1);
            assertThat(map.timeToLive("k")).isEmpty();
            assertThat(map.remove("k")).isNull();
            assertThat(map.compareAndPut("k", SharedMap.ABSENT, new Tally(2))).as("an expired entry counts as absent").isPositive();
            assertThat(map.get("k")).isEqualTo(new Tally(2));
            assertThat(map.timeToLive("k")).as("a put without a time to live").isEmpty();
        }
    }

    @Test
    void putIfAbsentTakesTheKeyOfAnExpiredEntry() {
        try (SharedStore store = open()) {
            SharedMap<Tally> map = store.map("idempotency", Tally.class);
            long started = System.currentTimeMillis();
            assertThat(map.putIfAbsent("request-1", new Tally(1), SHORT)).isNull();
            if (System.currentTimeMillis() - started < SHORT.toMillis()) {
                assertThat(map.putIfAbsent("request-1", new Tally(2), SHORT)).isEqualTo(new Tally(1));
            }
            awaitPast(started, SHORT);
            assertThat(map.putIfAbsent("request-1", new Tally(3))).isNull();
            assertThat(map.get("request-1")).isEqualTo(new Tally(3));
        }
    }

    @Test
    void expireAndPersistChangeOnlyTheExpiryAndSayWhetherTheKeyExisted() {
        try (SharedStore store = open()) {
            SharedMap<Tally> map = store.map("m", Tally.class);
            long version = map.put("k", new Tally(1));
            assertThat(map.timeToLive("k")).isEmpty();

            assertThat(map.expire("k", Duration.ofMinutes(5))).isTrue();

            assertThat(map.timeToLive("k")).hasValueSatisfying(left -> assertThat(left)
                    .isGreaterThan(Duration.ofMinutes(4)).isLessThanOrEqualTo(Duration.ofMinutes(5)));
            Versioned<Tally> seen = map.getVersioned("k");
            assertThat(seen.version()).as("expire keeps the version").isEqualTo(version);
            assertThat(seen.value()).isEqualTo(new Tally(1));
            assertThat(map.persist("k")).isTrue();
            assertThat(map.timeToLive("k")).isEmpty();
            assertThat(map.getVersioned("k").version()).isEqualTo(version);
            assertThat(map.expire("missing", Duration.ofMinutes(5))).isFalse();
            assertThat(map.persist("missing")).isFalse();
            assertThat(map.get("missing")).isNull();
        }
    }

    @Test
    void putReplacesTheExpiryWhileUpdateAndReplaceKeepIt() {
        try (SharedStore store = open()) {
            SharedMap<Tally> map = store.map("m", Tally.class);
            map.put("k", new Tally(1), Duration.ofMinutes(5));
            map.update("k", Tally::next);
            assertThat(map.timeToLive("k")).as("after update").isPresent();
            assertThat(map.replace("k", new Tally(2), new Tally(7))).isTrue();
            assertThat(map.timeToLive("k")).as("after replace").isPresent();
            map.put("k", new Tally(3));
            assertThat(map.timeToLive("k")).as("after a put without a time to live").isEmpty();
            map.compareAndPut("k", map.getVersioned("k").version(), new Tally(4), Duration.ofMinutes(1));
            assertThat(map.timeToLive("k")).hasValueSatisfying(left -> assertThat(left).isLessThanOrEqualTo(Duration.ofMinutes(1)));
            long kept = map.compareAndPutKeepingExpiry("k", map.getVersioned("k").version(), new Tally(5));
            assertThat(kept).isPositive();
            assertThat(map.timeToLive("k")).as("after compareAndPutKeepingExpiry").hasValueSatisfying(left -> assertThat(left)
                    .isGreaterThan(Duration.ofSeconds(50)).isLessThanOrEqualTo(Duration.ofMinutes(1)));
            assertThat(map.compareAndPutKeepingExpiry("k", kept - 1, new Tally(6))).as("at a stale version").isZero();
            assertThat(map.compareAndPutKeepingExpiry("new", SharedMap.ABSENT, new Tally(1))).isPositive();
            assertThat(map.timeToLive("new")).as("a new entry in a map without a default").isEmpty();
        }
    }

    @Test
    void aMapWithADefaultTimeToLiveGivesItToEveryWriteThatNamesNone() {
        try (SharedStore store = open()) {
            SharedMap<Tally> cache = store.map("cache", Tally.class).withTimeToLive(Duration.ofMinutes(10));
            cache.put("a", new Tally(1));
            cache.update("b", tally -> new Tally(2));
            cache.putIfAbsent("c", new Tally(3));
            for (String key : new String[] {"a", "b", "c"}) {
                assertThat(cache.timeToLive(key)).as(key).hasValueSatisfying(left -> assertThat(left)
                        .isGreaterThan(Duration.ofMinutes(9)).isLessThanOrEqualTo(Duration.ofMinutes(10)));
            }
            assertThat(store.map("cache", Tally.class).get("a")).as("the same entries, seen without the view").isEqualTo(new Tally(1));
        }
    }

    @Test
    void aTimeToLiveThatIsNotPositiveOrOverAHundredYearsIsRefusedNamingTheLimitAndWritesNothing() {
        try (SharedStore store = open()) {
            SharedMap<Tally> map = store.map("m", Tally.class);
            for (Duration bad : new Duration[] {Duration.ZERO, Duration.ofMillis(-1), Duration.ofDays(36_501)}) {
                assertThatThrownBy(() -> map.put("k", new Tally(1), bad)).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("time to live must be more than 0 and at most 36500 days").hasMessageContaining(bad.toString());
                assertThatThrownBy(() -> store.counter("c", bad)).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("36500 days");
            }
            assertThatThrownBy(() -> map.put("k", new Tally(1), null)).isInstanceOf(IllegalArgumentException.class);
            assertThat(map.get("k")).isNull();
            assertThat(store.findCounter("c")).isEmpty();
        }
    }

    @Test
    void aCounterCreatedWithATimeToLiveExpiresAndTheNextIncrementStartsANewWindow() {
        try (SharedStore store = open()) {
            long[] started = new long[1];
            writeAndReadBeforeDeadline(() -> {
                started[0] = System.currentTimeMillis();
                SharedCounter window = store.counter("hits", SHORT);
                assertThat(window.incrementAndGet()).isEqualTo(1);
            }, () -> {
                SharedCounter window = store.counter("hits", SHORT);
                assertThat(window.incrementAndGet()).as("the same window: the existing counter keeps its expiry").isEqualTo(2);
                assertThat(window.timeToLive()).hasValueSatisfying(left -> assertThat(left).isLessThanOrEqualTo(SHORT));
            });
            SharedCounter window = store.counter("hits", SHORT);
            awaitPast(started[0], SHORT);

            assertThat(window.get()).isZero();
            assertThat(store.findCounter("hits")).isEmpty();
            assertThat(window.incrementAndGet()).as("a new window").isEqualTo(1);
            assertThat(window.timeToLive()).isPresent();
            assertThat(window.persist()).isTrue();
            assertThat(window.timeToLive()).isEmpty();
            assertThat(window.expire(Duration.ofMinutes(1))).isTrue();
            assertThat(window.timeToLive()).isPresent();
            assertThat(store.counter("plain").expire(Duration.ofMinutes(1))).as("a counter that exists at 0").isTrue();
        }
    }

    @Test
    void theReadmeSessionCacheAndRateLimitLinesRunAsWritten() {
        String sessionId = "s-1";
        Session session = new Session("ada");
        String day = "2026-12-01";
        String user = "ada";
        try (SharedStore store = open()) {
            // README begins
            SharedMap<Session> sessions = store.map("sessions", Session.class);
            sessions.put(sessionId, session, Duration.ofMinutes(30));           // gone for everyone in 30 min
            sessions.expire(sessionId, Duration.ofMinutes(30));                  // sliding: push the deadline back

            SharedMap<Report> cache = store.map("reports", Report.class).withTimeToLive(Duration.ofMinutes(5));
            Report report = cache.get(day);
            if (report == null) { report = compute(day); cache.putIfAbsent(day, report); }

            // a fixed window of 100 requests a minute: the counter is created with its expiry, in one step
            long used = store.counter("rate:" + user, Duration.ofMinutes(1)).incrementAndGet();
            boolean allowed = used <= 100;
            // README ends
            assertThat(sessions.timeToLive(sessionId)).hasValueSatisfying(left -> assertThat(left).isGreaterThan(Duration.ofMinutes(29)));
            assertThat(cache.timeToLive(day)).hasValueSatisfying(left -> assertThat(left).isGreaterThan(Duration.ofMinutes(4)));
            assertThat(cache.get(day)).isEqualTo(report);
            assertThat(allowed).isTrue();
            assertThat(store.counter("rate:" + user).timeToLive()).isPresent();
        }
    }

    private static Report compute(String day) {
        return new Report(day, 42);
    }

    /**
     * Runs write, then before (which reads what write wrote) while write's deadline has not come;
     * when the machine held this thread up past it, runs both again (a few times), also when before
     * failed only because the deadline came while it ran. Returns when write last started.
     */
    private static long writeAndReadBeforeDeadline(Runnable write, Runnable before) {
        for (int attempt = 0; ; attempt++) {
            long started = System.currentTimeMillis();
            write.run();
            if (System.currentTimeMillis() - started < SHORT.toMillis() / 2) {
                try {
                    before.run();
                } catch (AssertionError failed) {
                    if (System.currentTimeMillis() - started < SHORT.toMillis()) {
                        throw failed;
                    }
                    // held up past the deadline while reading: what it read may have expired meanwhile
                }
                if (System.currentTimeMillis() - started < SHORT.toMillis()) {
                    return started;
                }
            }
            if (attempt == 10) {
                throw new AssertionError("this machine never ran a write and a read within " + SHORT + " in 10 attempts");
            }
            awaitPast(started, SHORT);
        }
    }

    private static void awaitPast(long startedMillis, Duration timeToLive) {
        long until = startedMillis + timeToLive.toMillis() + 50;
        while (System.currentTimeMillis() < until) {
            LockSupport.parkNanos(10_000_000);
        }
    }
}
