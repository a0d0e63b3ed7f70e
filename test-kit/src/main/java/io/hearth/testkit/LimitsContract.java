package io.hearth.testkit;

import io.hearth.SharedMap;
import io.hearth.SharedStore;
import io.hearth.StoreFullException;
import io.hearth.ValueTooLargeException;
import io.hearth.Versioned;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Bad input and full stores: a clear error naming the limit, and nothing changed. Written once for
 * every backend: {@code FileLimitsTest}, {@code RedisLimitsTest}.
 */
public abstract class LimitsContract {
    /** Opens a fresh store, the same one for every call within one test, with these capacity settings. */
    protected abstract SharedStore openWithLimits(TestLimits limits);

    private SharedStore store;
    private SharedMap<Tally> map;

    @BeforeEach
    void open() {
        store = openWithLimits(new TestLimits(10, 4, 100));
        map = store.map("m", Tally.class);
        map.put("present", new Tally(1));
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void aNullKeyIsRefused() {
        assertRefused(() -> map.put(null, new Tally(2)), "key must not be null");
        assertRefused(() -> map.get(null), "key must not be null");
    }

    @Test
    void anEmptyKeyIsRefused() {
        assertRefused(() -> map.put("", new Tally(2)), "key must not be empty");
    }

    @Test
    void aKeyOverTheLimitIsRefusedNamingTheLimit() {
        assertRefused(() -> map.put("k".repeat(257), new Tally(2)), "257 bytes of UTF-8, over the limit of 256 bytes (maxKeyBytes)");
        assertRefused(() -> map.put("é".repeat(129), new Tally(2)), "258 bytes of UTF-8, over the limit of 256 bytes");
    }

    @Test
    void aKeyThatIsNotValidUnicodeIsRefused() {
        assertRefused(() -> map.put("bad\uD800", new Tally(2)), "not valid Unicode");
    }

    @Test
    void aValueOverTheLimitIsRefusedNamingTheLimitAndTheOldValueStays() {
        SharedMap<Map> maps = store.map("m", Map.class);
        assertRefused(() -> maps.put("present", Map.of("text", "x".repeat(200))), "over the limit of 100 bytes (maxValueBytes)");
        assertRefused(() -> maps.update("present", old -> Map.of("text", "x".repeat(200))), "over the limit of 100 bytes");
        assertThat(map.get("present")).isEqualTo(new Tally(1));
    }

    @Test
    void oversizedValuesAndPayloadsCarryTheirSizeAndLimitAsFields() {
        ValueTooLargeException value = catchThrowableOfType(ValueTooLargeException.class,
                () -> store.map("m", String.class).put("present", "x".repeat(200)));
        assertThat(value.limit()).isEqualTo(100);
        assertThat(value.bytes()).isEqualTo(202); // the JSON string's quotes count
        ValueTooLargeException payload = catchThrowableOfType(ValueTooLargeException.class,
                () -> store.broadcast("t", "p".repeat(16 * 1024 + 1), Duration.ZERO));
        assertThat(payload.limit()).isEqualTo(16 * 1024);
        assertThat(map.get("present")).isEqualTo(new Tally(1));
    }

    @Test
    void aBroadcastWithANegativeOrHugeWaitIsRefusedBeforeItIsSent() {
        java.util.List<String> got = new java.util.concurrent.CopyOnWriteArrayList<>();
        store.subscribe("t", message -> got.add(message.payload()));
        assertRefused(() -> store.broadcast("t", "x", Duration.ofSeconds(-1)), "waitForAcks must be from 0");
        assertRefused(() -> store.broadcast("t", "x", Duration.ofDays(400_000_000L)), "waitForAcks must be from 0");
        assertThat(store.broadcast("t", "sent", Duration.ofSeconds(10)).complete()).isTrue();
        assertThat(got).containsExactly("sent");
    }

    @Test
    void findingACounterThatWasNeverCreatedUsesUpNoCapacity() {
        for (int i = 0; i < 10; i++) {
            assertThat(store.findCounter("never-" + i)).isEmpty();
        }
        for (int i = 0; i < 4; i++) {
            store.counter("c" + i).set(i);
        }
        assertThat(store.findCounter("c3")).hasValueSatisfying(counter -> assertThat(counter.get()).isEqualTo(3));
        assertThat(store.findCounter("never-0")).isEmpty();
        assertRefused(() -> store.findCounter(null), "counter name must not be null");
    }

    @Test
    void aValueJacksonCannotWriteIsRefused() {
        SharedMap<Object> objects = store.map("objects", Object.class);
        assertRefused(() -> objects.put("k", new Object()), "cannot be written as JSON");
        assertThat(objects.size()).isZero();
    }

    @Test
    void aNullValueIsRefused() {
        assertRefused(() -> map.put("k", null), "value must not be null");
    }

    @Test
    void badMapCounterAndTopicNamesAreRefused() {
        assertRefused(() -> store.map("n".repeat(65), Tally.class), "over the limit of 64 bytes");
        assertRefused(() -> store.map("a\0b", Tally.class), "NUL");
        assertRefused(() -> store.counter("c".repeat(113)), "over the limit of 112 bytes");
        assertRefused(() -> store.counter(null), "counter name must not be null");
        assertRefused(() -> store.broadcast("t".repeat(97), "{}", Duration.ZERO), "over the limit of 96 bytes");
        assertRefused(() -> store.broadcast("t", "p".repeat(16 * 1024 + 1), Duration.ZERO), "over the limit of 16384 bytes (maxBroadcastBytes)");
    }

    @Test
    void aThrowingUpdateFunctionLeavesTheValueUnchanged() {
        long version = map.getVersioned("present").version();
        IllegalStateException thrown = catchThrowableOfType(IllegalStateException.class,
                () -> map.update("present", old -> {
                    throw new IllegalStateException("the caller's own failure");
                }));
        assertThat(thrown).hasMessage("the caller's own failure");
        assertThat(map.getVersioned("present")).isEqualTo(new Versioned<>(new Tally(1), version));
    }

    @Test
    void aFullStoreRefusesANewEntryNamingItsCapacityAndKeepsEveryEntry() {
        for (int i = 1; i < 10; i++) {
            map.put("k" + i, new Tally(i));
        }
        StoreFullException thrown = catchThrowableOfType(StoreFullException.class, () -> map.put("one-too-many", new Tally(0)));

        assertThat(thrown).hasMessageContaining("capacity is 10 (maxEntries)");
        assertThat(map.get("one-too-many")).isNull();
        assertThat(map.size()).isEqualTo(10);
        assertThat(map.get("k9")).isEqualTo(new Tally(9));
        map.put("k9", new Tally(99)); // replacing needs no room
        assertThat(map.get("k9")).isEqualTo(new Tally(99));
        map.remove("k9");
        map.put("one-too-many", new Tally(0)); // removing made room
        assertThat(store.stats().entries()).isEqualTo(10);
        assertThat(store.stats().fillRatio()).isEqualTo(1.0);
    }

    @Test
    void countersAtTheirCapRefuseANewNameNamingTheCapAndKeepEveryCounterUntilOneIsRemoved() {
        for (int i = 0; i < 4; i++) {
            store.counter("c" + i).set(i + 10);
        }
        StoreFullException thrown = catchThrowableOfType(StoreFullException.class, () -> store.counter("c4"));

        assertThat(thrown).hasMessageContaining("4 counter names are in use").hasMessageContaining("maxCounters=4");
        for (int i = 0; i < 4; i++) {
            assertThat(store.counter("c" + i).get()).isEqualTo(i + 10);
        }
        assertThat(store.removeCounter("c0")).isTrue();
        store.counter("c4").set(14);
        assertThat(store.counter("c4").get()).isEqualTo(14);
        assertThat(store.stats().counters()).isEqualTo(4);
    }

    protected void assertRefused(Runnable call, String messagePart) {
        long entriesBefore = store.stats().entries();
        IllegalArgumentException thrown = catchThrowableOfType(IllegalArgumentException.class, call::run);
        assertThat(thrown).as("expected IllegalArgumentException").isNotNull();
        assertThat(thrown).hasMessageContaining(messagePart);
        assertThat(store.stats().entries()).isEqualTo(entriesBefore);
        assertThat(map.get("present")).isEqualTo(new Tally(1));
    }
}
