package io.hearth.testkit;

import io.hearth.SharedMap;
import io.hearth.SharedStore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link SharedMap#asMap()}, written once for every backend: {@code FileConcurrentMapTest} runs it on
 * the file store, {@code RedisConcurrentMapTest} on Redis. What the view reads was written by another
 * OS process, and what it writes is read back there: one {@link MapWriterChild} per test class, which
 * opens each test's fresh store. Each ConcurrentMap method the view claims has a test here; the
 * many-process total is {@link CrossProcessContract}'s merge test.
 */
public abstract class ConcurrentMapContract {
    private static final Duration CHILD = CrossProcessContract.CHILD_TIMEOUT;
    private static final BiFunction<Tally, Tally, Tally> SUM = (current, given) -> new Tally(current.n() + given.n());

    /** The other process, writing and reading map "view" of each test's store. */
    private static ChildJvm other;

    /** This test's fresh store, as {@link Stores#open} takes it: the same for every call within one test. */
    protected abstract String store();

    @BeforeAll
    static void startTheOtherProcess() {
        other = ChildJvm.start(MapWriterChild.class);
        other.awaitLine("READY", CHILD);
    }

    @AfterAll
    static void stopTheOtherProcess() {
        other.close();
    }

    @BeforeEach
    void theOtherProcessOpensThisTestsStore() {
        ask("open " + store(), "OPENED");
    }

    @AfterEach
    void theOtherProcessClosesIt() {
        ask("close", "CLOSED");
    }

    private SharedStore open() {
        return Stores.open(store());
    }

    private static ConcurrentMap<String, Tally> view(SharedStore store) {
        return store.map("view", Tally.class).asMap();
    }

    @Test
    void getContainsKeyAndGetOrDefaultReadWhatAnotherProcessWroteAndSeeItsRemoval() {
        try (SharedStore store = open()) {
            ConcurrentMap<String, Tally> view = view(store);
            otherPuts("k", 1);
            assertThat(view.get("k")).isEqualTo(new Tally(1));
            assertThat(view.containsKey("k")).isTrue();
            assertThat(view.getOrDefault("k", new Tally(0))).isEqualTo(new Tally(1));

            otherRemoves("k");
            assertThat(view.get("k")).isNull();
            assertThat(view.containsKey("k")).isFalse();
            assertThat(view.getOrDefault("k", new Tally(0))).isEqualTo(new Tally(0));
            assertThat(view.getOrDefault("k", null)).isNull();
            assertThat(view.get(42)).as("a key that is not a String").isNull();
            assertThat(view.containsKey(42)).isFalse();
        }
    }

    @Test
    void putReturnsWhatAnotherProcessWroteAndThatProcessReadsTheNewValue() {
        try (SharedStore store = open()) {
            ConcurrentMap<String, Tally> view = view(store);
            assertThat(view.put("k", new Tally(1))).isNull();
            assertThat(otherReads("k")).isEqualTo(new Tally(1));

            otherPuts("k", 2);
            assertThat(view.put("k", new Tally(3))).isEqualTo(new Tally(2));
            assertThat(otherReads("k")).isEqualTo(new Tally(3));
        }
    }

    @Test
    void putIfAbsentKeepsWhatAnotherProcessWroteAndWritesOnlyAnAbsentKey() {
        try (SharedStore store = open()) {
            ConcurrentMap<String, Tally> view = view(store);
            otherPuts("taken", 1);
            assertThat(view.putIfAbsent("taken", new Tally(2))).isEqualTo(new Tally(1));
            assertThat(otherReads("taken")).isEqualTo(new Tally(1));

            assertThat(view.putIfAbsent("free", new Tally(3))).isNull();
            assertThat(otherReads("free")).isEqualTo(new Tally(3));
        }
    }

    @Test
    void removeReturnsWhatAnotherProcessWroteAndTheKeyIsGoneForThatProcess() {
        try (SharedStore store = open()) {
            ConcurrentMap<String, Tally> view = view(store);
            otherPuts("k", 1);
            assertThat(view.remove("k")).isEqualTo(new Tally(1));
            assertThat(otherReads("k")).isNull();
            assertThat(view.remove("k")).isNull();
            assertThat(view.remove(42)).as("a key that is not a String").isNull();
        }
    }

    @Test
    void removeOfAKeyAndAValueRemovesOnlyWhenTheDecodedValueIsEqual() {
        try (SharedStore store = open()) {
            ConcurrentMap<String, Tally> view = view(store);
            otherPuts("k", 1);
            assertThat(view.remove("k", new Tally(2))).isFalse();
            assertThat(view.remove("k", "not a tally")).isFalse();
            assertThat(view.remove("k", null)).as("as ConcurrentHashMap").isFalse();
            assertThat(otherReads("k")).isEqualTo(new Tally(1));

            assertThat(view.remove("k", new Tally(1))).isTrue();
            assertThat(otherReads("k")).isNull();
            assertThat(view.remove("k", new Tally(1))).as("absent").isFalse();
        }
    }

    @Test
    void replaceWritesOnlyAKeyThatIsPresentAndReturnsWhatItHeld() {
        try (SharedStore store = open()) {
            ConcurrentMap<String, Tally> view = view(store);
            assertThat(view.replace("k", new Tally(1))).isNull();
            assertThat(otherReads("k")).isNull();

            otherPuts("k", 2);
            assertThat(view.replace("k", new Tally(3))).isEqualTo(new Tally(2));
            assertThat(otherReads("k")).isEqualTo(new Tally(3));
        }
    }

    @Test
    void replaceOfAnOldValueWritesOnlyWhenTheDecodedValueIsEqualWhateverTheType() {
        try (SharedStore store = open()) {
            ConcurrentMap<String, Tally> view = view(store);
            assertThat(view.replace("k", new Tally(1), new Tally(2))).as("absent").isFalse();
            assertThat(otherReads("k")).isNull();

            otherPuts("k", 1);
            assertThat(view.replace("k", new Tally(5), new Tally(2))).isFalse();
            assertThat(otherReads("k")).isEqualTo(new Tally(1));
            assertThat(view.replace("k", new Tally(1), new Tally(2))).isTrue();
            assertThat(otherReads("k")).isEqualTo(new Tally(2));

            @SuppressWarnings("rawtypes")
            ConcurrentMap<String, Map> asMaps = store.map("view", Map.class).asMap(); // the same entries, read as Map
            assertThat(asMaps.replace("k", Map.of("n", 1), Map.of("n", 3))).isFalse();
            assertThat(asMaps.replace("k", Map.of("n", 2), Map.of("n", 3))).as("Map.equals compares content").isTrue();
            assertThat(otherReads("k")).isEqualTo(new Tally(3));
        }
    }

    @Test
    void computeSeesWhatAnotherProcessWroteAndRemovesTheKeyWhenItsFunctionReturnsNull() {
        try (SharedStore store = open()) {
            ConcurrentMap<String, Tally> view = view(store);
            assertThat(view.compute("k", (key, current) -> current == null ? new Tally(1) : current.next())).isEqualTo(new Tally(1));
            assertThat(otherReads("k")).isEqualTo(new Tally(1));

            otherPuts("k", 10);
            assertThat(view.compute("k", (key, current) -> new Tally(current.n() + key.length()))).isEqualTo(new Tally(11));
            assertThat(otherReads("k")).isEqualTo(new Tally(11));

            assertThat(view.compute("k", (key, current) -> null)).isNull();
            assertThat(otherReads("k")).isNull();
            assertThat(view.compute("absent", (key, current) -> null)).isNull();
            assertThat(view.containsKey("absent")).isFalse();
        }
    }

    @Test
    void computeIfAbsentRunsItsFunctionOnlyForAnAbsentKeyAndReturnsWhatAnotherProcessCreatedMeanwhile() {
        try (SharedStore store = open()) {
            ConcurrentMap<String, Tally> view = view(store);
            List<String> calls = new ArrayList<>();
            otherPuts("k", 1);
            assertThat(view.computeIfAbsent("k", recording(calls, key -> new Tally(2)))).isEqualTo(new Tally(1));
            assertThat(calls).as("not run for a present key").isEmpty();

            assertThat(view.computeIfAbsent("none", recording(calls, key -> null))).isNull();
            assertThat(otherReads("none")).as("null records nothing").isNull();
            assertThat(view.computeIfAbsent("new", recording(calls, key -> new Tally(3)))).isEqualTo(new Tally(3));
            assertThat(otherReads("new")).isEqualTo(new Tally(3));

            Tally raced = view.computeIfAbsent("raced", recording(calls, key -> {
                otherPuts(key, 7); // created by the other process while the function runs
                return new Tally(8);
            }));
            assertThat(raced).isEqualTo(new Tally(7));
            assertThat(otherReads("raced")).isEqualTo(new Tally(7));
            assertThat(calls).containsExactly("none", "new", "raced");
        }
    }

    @Test
    void computeIfPresentRunsItsFunctionOnlyForAPresentKey() {
        try (SharedStore store = open()) {
            ConcurrentMap<String, Tally> view = view(store);
            List<Tally> seen = new ArrayList<>();
            assertThat(view.computeIfPresent("k", (key, current) -> {
                seen.add(current);
                return new Tally(1);
            })).isNull();
            assertThat(seen).isEmpty();
            assertThat(otherReads("k")).isNull();

            otherPuts("k", 1);
            assertThat(view.computeIfPresent("k", (key, current) -> current.next())).isEqualTo(new Tally(2));
            assertThat(otherReads("k")).isEqualTo(new Tally(2));
            assertThat(view.computeIfPresent("k", (key, current) -> null)).isNull();
            assertThat(otherReads("k")).isNull();
        }
    }

    @Test
    void mergeStartsAnAbsentKeyWithTheValueAndCombinesItWithWhatAnotherProcessWrote() {
        try (SharedStore store = open()) {
            ConcurrentMap<String, Tally> view = view(store);
            assertThat(view.merge("k", new Tally(5), SUM)).isEqualTo(new Tally(5));
            assertThat(otherReads("k")).isEqualTo(new Tally(5));

            otherPuts("k", 10);
            assertThat(view.merge("k", new Tally(5), SUM)).isEqualTo(new Tally(15));
            assertThat(otherReads("k")).isEqualTo(new Tally(15));
            assertThat(view.merge("k", new Tally(5), (current, given) -> null)).as("null removes").isNull();
            assertThat(otherReads("k")).isNull();
        }
    }

    @Test
    void aWriteOrRemovalByAnotherProcessWhileTheFunctionRunsMakesComputeMergeAndComputeIfPresentRetryOnWhatItLeft() {
        try (SharedStore store = open()) {
            ConcurrentMap<String, Tally> view = view(store);
            otherPuts("k", 1);
            List<Tally> seen = new ArrayList<>();
            Tally computed = view.compute("k", (key, current) -> {
                seen.add(current);
                if (seen.size() == 1) {
                    otherPuts("k", 100); // between this attempt's read and its write
                }
                return current.next();
            });
            assertThat(seen).containsExactly(new Tally(1), new Tally(100));
            assertThat(computed).isEqualTo(new Tally(101));
            assertThat(otherReads("k")).isEqualTo(new Tally(101));

            seen.clear();
            Tally merged = view.merge("k", new Tally(1), (current, given) -> {
                seen.add(current);
                if (seen.size() == 1) {
                    otherPuts("k", 200);
                }
                return SUM.apply(current, given);
            });
            assertThat(seen).containsExactly(new Tally(101), new Tally(200));
            assertThat(merged).isEqualTo(new Tally(201));
            assertThat(otherReads("k")).isEqualTo(new Tally(201));

            seen.clear();
            Tally afterRemoval = view.computeIfPresent("k", (key, current) -> {
                seen.add(current);
                otherRemoves("k");
                return current.next();
            });
            assertThat(afterRemoval).as("the retry found the key absent").isNull();
            assertThat(seen).containsExactly(new Tally(201));
            assertThat(otherReads("k")).isNull();
        }
    }

    @Test
    void nullKeysValuesAndFunctionsAreRefusedWithNullPointerExceptionAndKeysTheMapRefusesWithIllegalArgumentException() {
        try (SharedStore store = open()) {
            ConcurrentMap<String, Tally> view = view(store);
            otherPuts("k", 1);
            Tally one = new Tally(1);
            assertThatNullPointerException().isThrownBy(() -> view.put("k", null));
            assertThatNullPointerException().isThrownBy(() -> view.put(null, one));
            assertThatNullPointerException().isThrownBy(() -> view.putIfAbsent("new", null));
            assertThatNullPointerException().isThrownBy(() -> view.replace("k", null));
            assertThatNullPointerException().isThrownBy(() -> view.replace("k", null, one));
            assertThatNullPointerException().isThrownBy(() -> view.replace("k", one, null));
            assertThatNullPointerException().isThrownBy(() -> view.merge("k", null, SUM));
            assertThatNullPointerException().isThrownBy(() -> view.merge("k", one, null));
            assertThatNullPointerException().isThrownBy(() -> view.compute("k", null));
            assertThatNullPointerException().isThrownBy(() -> view.computeIfAbsent("new", null));
            assertThatNullPointerException().isThrownBy(() -> view.computeIfPresent("k", null));
            assertThatNullPointerException().isThrownBy(() -> view.get(null));
            assertThatNullPointerException().isThrownBy(() -> view.containsKey(null));
            assertThatNullPointerException().isThrownBy(() -> view.remove(null));
            assertThatNullPointerException().isThrownBy(() -> view.remove(null, one));
            assertThatNullPointerException().isThrownBy(() -> view.containsValue(null));
            assertThatIllegalArgumentException().isThrownBy(() -> view.put("", one)).withMessageContaining("key must not be empty");
            assertThatIllegalArgumentException().isThrownBy(() -> view.get("")).withMessageContaining("key must not be empty");

            assertThat(otherReads("k")).isEqualTo(one);
            assertThat(otherReads("new")).isNull();
            assertThat(view).containsOnlyKeys("k");
        }
    }

    @Test
    void iterationSizeAndContainsValueSeeASnapshotOfWhatAnotherProcessWrote() {
        try (SharedStore store = open()) {
            ConcurrentMap<String, Tally> view = view(store);
            assertThat(view.isEmpty()).isTrue();
            assertThat(view.size()).isZero();
            assertThat(view.entrySet()).isEmpty();

            otherPuts("b", 2);
            otherPuts("a", 1);
            otherPuts("c", 3);
            Map<String, Tally> written = Map.of("a", new Tally(1), "b", new Tally(2), "c", new Tally(3));
            assertThat(view.isEmpty()).isFalse();
            assertThat(view.size()).isEqualTo(3);
            assertThat(view.keySet()).containsExactly("a", "b", "c");
            assertThat(view.values()).containsExactly(new Tally(1), new Tally(2), new Tally(3));
            assertThat(view.entrySet()).containsExactly(Map.entry("a", new Tally(1)), Map.entry("b", new Tally(2)),
                    Map.entry("c", new Tally(3)));
            assertThat(view.containsValue(new Tally(2))).isTrue();
            assertThat(view.containsValue(new Tally(9))).isFalse();
            Map<String, Tally> walked = new LinkedHashMap<>();
            view.forEach(walked::put);
            assertThat(walked).containsExactlyEntriesOf(new TreeMap<>(written));
            assertThat(view).isEqualTo(written);
            assertThat(view.hashCode()).isEqualTo(written.hashCode());

            Iterator<Map.Entry<String, Tally>> walk = view.entrySet().iterator(); // the snapshot is taken here
            otherPuts("d", 4);
            otherRemoves("a");
            List<Map.Entry<String, Tally>> rest = new ArrayList<>();
            walk.forEachRemaining(rest::add);
            assertThat(rest).containsExactly(Map.entry("a", new Tally(1)), Map.entry("b", new Tally(2)), Map.entry("c", new Tally(3)));
            assertThat(view.keySet()).as("a walk begun after the writes").containsExactly("b", "c", "d");
        }
    }

    @Test
    void anIteratorsRemoveAndAnEntrysSetValueWriteThroughToWhatAnotherProcessReads() {
        try (SharedStore store = open()) {
            ConcurrentMap<String, Tally> view = view(store);
            otherPuts("a", 1);
            otherPuts("b", 2);
            otherPuts("c", 3);
            Iterator<Map.Entry<String, Tally>> entries = view.entrySet().iterator();
            assertThatIllegalStateException().isThrownBy(entries::remove);

            Map.Entry<String, Tally> a = entries.next();
            assertThatNullPointerException().isThrownBy(() -> a.setValue(null));
            assertThat(a.setValue(new Tally(10))).isEqualTo(new Tally(1));
            assertThat(a.getValue()).isEqualTo(new Tally(10));
            assertThat(otherReads("a")).isEqualTo(new Tally(10));

            assertThat(entries.next().getKey()).isEqualTo("b");
            otherPuts("b", 20); // after the snapshot: the removal removes the key all the same, as ConcurrentHashMap's
            entries.remove();
            assertThat(otherReads("b")).isNull();
            assertThatIllegalStateException().isThrownBy(entries::remove);

            assertThat(view.keySet().remove("c")).isTrue();
            assertThat(otherReads("c")).isNull();
            assertThat(view.values().removeIf(tally -> tally.n() == 10)).isTrue();
            assertThat(otherReads("a")).isNull();
            assertThat(view).isEmpty();
        }
    }

    @Test
    void replaceAllReplacesEveryValueAnotherProcessWroteAndRefusesNullAndClearRemovesThemAll() {
        try (SharedStore store = open()) {
            ConcurrentMap<String, Tally> view = view(store);
            otherPuts("a", 1);
            otherPuts("b", 2);
            view.replaceAll((key, current) -> new Tally(current.n() * 10));
            assertThat(otherReads("a")).isEqualTo(new Tally(10));
            assertThat(otherReads("b")).isEqualTo(new Tally(20));

            assertThatNullPointerException().isThrownBy(() -> view.replaceAll((key, current) -> null));
            assertThat(otherReads("a")).as("nothing written for the key whose new value was null").isEqualTo(new Tally(10));

            view.clear();
            assertThat(otherReads("a")).isNull();
            assertThat(otherReads("b")).isNull();
            assertThat(view.isEmpty()).isTrue();
        }
    }

    @Test
    void writesThroughTheViewKeepOrSetTheExpiryAsTheSharedMapsOwnWritesDo() {
        try (SharedStore store = open()) {
            SharedMap<Tally> shared = store.map("view", Tally.class);
            ConcurrentMap<String, Tally> view = shared.asMap();
            Map<String, Function<String, Tally>> keeping = new LinkedHashMap<>();
            keeping.put("compute", key -> view.compute(key, (k, current) -> current.next()));
            keeping.put("computeIfPresent", key -> view.computeIfPresent(key, (k, current) -> current.next()));
            keeping.put("merge", key -> view.merge(key, new Tally(1), SUM));
            keeping.put("replace", key -> view.replace(key, new Tally(5)));
            keeping.put("replace-old", key -> view.replace(key, new Tally(1), new Tally(5)) ? new Tally(5) : null);
            keeping.forEach((key, write) -> {
                otherPutsExpiring(key, 1, Duration.ofMinutes(10));
                assertThat(write.apply(key)).as(key).isNotNull();
                assertThat(shared.timeToLive(key)).as("%s keeps the expiry", key).isPresent();
            });

            otherPutsExpiring("put", 1, Duration.ofMinutes(10));
            view.put("put", new Tally(2));
            assertThat(shared.timeToLive("put")).as("put replaces it, as SharedMap.put").isEmpty();
            view.computeIfAbsent("plain", key -> new Tally(1));
            assertThat(shared.timeToLive("plain")).as("no default time to live").isEmpty();

            ConcurrentMap<String, Tally> expiring = shared.withTimeToLive(Duration.ofMinutes(5)).asMap();
            expiring.put("new-put", new Tally(1));
            expiring.putIfAbsent("new-putIfAbsent", new Tally(1));
            expiring.computeIfAbsent("new-computeIfAbsent", key -> new Tally(1));
            expiring.compute("new-compute", (key, current) -> new Tally(1));
            expiring.merge("new-merge", new Tally(1), SUM);
            for (String key : List.of("new-put", "new-putIfAbsent", "new-computeIfAbsent", "new-compute", "new-merge")) {
                assertThat(shared.timeToLive(key)).as("%s creates with the default time to live", key).isPresent();
                assertThat(otherReads(key)).isEqualTo(new Tally(1));
            }
        }
    }

    private static <R> Function<String, R> recording(List<String> calls, Function<String, R> function) {
        return key -> {
            calls.add(key);
            return function.apply(key);
        };
    }

    /** The other process puts Tally n under key; returns the version it wrote. */
    private static long otherPuts(String key, long n) {
        return Long.parseLong(ask("put " + key + " " + n, "ACK"));
    }

    private static void otherPutsExpiring(String key, long n, Duration timeToLive) {
        ask("put " + key + " " + n + " " + timeToLive.toSeconds(), "ACK");
    }

    private static void otherRemoves(String key) {
        ask("remove " + key, "ACK");
    }

    /** What the other process reads under key, or null. */
    private static Tally otherReads(String key) {
        String value = ask("get " + key, "VALUE");
        return value.equals("absent") ? null : new Tally(Long.parseLong(value));
    }

    private static String ask(String line, String answer) {
        other.send(line);
        return other.awaitLine(answer, CHILD);
    }
}
