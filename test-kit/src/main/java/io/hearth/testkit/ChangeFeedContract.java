package io.hearth.testkit;

import io.hearth.Change;
import io.hearth.SharedMap;
import io.hearth.SharedStore;
import io.hearth.Subscription;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What {@link SharedMap#watch} promises on every backend that keeps a change log, written once:
 * {@code FileChangeFeedTest}, {@code RedisChangeFeedTest}. The cross-process claims run real JVMs
 * ({@link WatchChild}) started together.
 */
public abstract class ChangeFeedContract {
    private static final Duration WAIT = Duration.ofSeconds(30);

    /** This test's fresh store, as {@link Stores#open} takes it: the same for every call within one test. */
    protected abstract String store();

    /** How many changes the store keeps for a watcher that falls behind: the gap test writes more. */
    protected abstract int changesKept();

    protected SharedStore open() {
        return Stores.open(store());
    }

    @Test
    void aWatcherIsHandedEveryWriteAndRemovalUnderItsPrefixInVersionOrderWithTheValueWritten() throws Exception {
        try (SharedStore store = open()) {
            SharedMap<Tally> map = store.map("users", Tally.class);
            BlockingQueue<Change<Tally>> seen = new LinkedBlockingQueue<>();
            try (Subscription ignored = map.watch("user:", seen::add)) {
                long a = map.put("user:a", new Tally(1));
                map.put("other", new Tally(2));
                store.map("elsewhere", Tally.class).put("user:a", new Tally(3));
                long b = map.put("user:b", new Tally(4));
                Tally removed = map.remove("user:a");
                map.update("user:a", t -> new Tally(5));
                long c = map.getVersioned("user:a").version();

                Change<Tally> first = next(seen);
                assertThat(first.kind()).isEqualTo(Change.Kind.WRITE);
                assertThat(first.key()).isEqualTo("user:a");
                assertThat(first.version()).isEqualTo(a);
                assertThat(first.value()).isEqualTo(new Tally(1));
                assertThat(first.json()).isEqualTo("{\"n\":1}");
                Change<Tally> second = next(seen);
                assertThat(second.key()).isEqualTo("user:b");
                assertThat(second.version()).isEqualTo(b);
                Change<Tally> third = next(seen);
                assertThat(removed).isEqualTo(new Tally(1));
                assertThat(third.kind()).isEqualTo(Change.Kind.REMOVAL);
                assertThat(third.key()).isEqualTo("user:a");
                assertThat(third.version()).isGreaterThan(b);
                assertThat(third.value()).isNull();
                Change<Tally> fourth = next(seen);
                assertThat(fourth.kind()).isEqualTo(Change.Kind.WRITE);
                assertThat(fourth.version()).isEqualTo(c).isGreaterThan(third.version());
                assertThat(seen.poll(200, TimeUnit.MILLISECONDS)).as("nothing from another map or prefix").isNull();
            }
        }
    }

    @Test
    void aWatcherNamingAVersionIsHandedEveryChangeAfterIt() throws Exception {
        try (SharedStore store = open()) {
            SharedMap<Tally> map = store.map("m", Tally.class);
            List<Long> versions = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                versions.add(map.put("k" + i, new Tally(i)));
            }
            BlockingQueue<Change<Tally>> seen = new LinkedBlockingQueue<>();
            try (Subscription ignored = map.watch("", versions.get(4), seen::add)) {
                for (int i = 5; i < 10; i++) {
                    Change<Tally> change = next(seen);
                    assertThat(change.version()).isEqualTo(versions.get(i));
                    assertThat(change.value()).isEqualTo(new Tally(i));
                }
                long later = map.put("k0", new Tally(100));
                assertThat(next(seen).version()).isEqualTo(later);
            }
        }
    }

    @Test
    void aWatcherThatFallsFurtherBehindThanTheStoreKeepsIsToldOfTheGapThenCarriesOn() throws Exception {
        try (SharedStore store = open()) {
            SharedMap<Tally> map = store.map("m", Tally.class);
            BlockingQueue<Change<Tally>> seen = new LinkedBlockingQueue<>();
            CountDownLatch release = new CountDownLatch(1);
            try (Subscription ignored = map.watch("", change -> {
                seen.add(change);
                await(release);
            })) {
                long first = map.put("k", new Tally(0));
                assertThat(next(seen).version()).isEqualTo(first); // the listener now holds up its watch
                long last = 0;
                for (int i = 1; i <= changesKept() + 100; i++) {
                    last = map.put("k" + (i % 100), new Tally(i));
                }
                release.countDown();
                Change<Tally> gap = next(seen);
                assertThat(gap.kind()).isEqualTo(Change.Kind.GAP);
                assertThat(gap.isGap()).isTrue();
                assertThat(gap.firstMissed()).isEqualTo(first + 1);
                assertThat(gap.version()).isLessThan(last);
                assertThat(gap.whyMissed()).isNotBlank();
                long previous = gap.version();
                Change<Tally> change;
                do {
                    change = next(seen);
                    assertThat(change.kind()).isEqualTo(Change.Kind.WRITE);
                    assertThat(change.version()).isEqualTo(previous + 1);
                    previous = change.version();
                } while (change.version() < last);
            }
        }
    }

    @Test
    void aListenerThatThrowsIsHandedTheNextChangesAnyway() throws Exception {
        try (SharedStore store = open()) {
            SharedMap<Tally> map = store.map("m", Tally.class);
            BlockingQueue<Change<Tally>> seen = new LinkedBlockingQueue<>();
            try (Subscription ignored = map.watch("", change -> {
                seen.add(change);
                throw new IllegalStateException("a broken listener");
            })) {
                map.put("a", new Tally(1));
                map.put("b", new Tally(2));
                assertThat(next(seen).key()).isEqualTo("a");
                assertThat(next(seen).key()).isEqualTo("b");
            }
        }
    }

    @Test
    void closingTheSubscriptionStopsDeliveries() throws Exception {
        try (SharedStore store = open()) {
            SharedMap<Tally> map = store.map("m", Tally.class);
            BlockingQueue<Change<Tally>> seen = new LinkedBlockingQueue<>();
            Subscription subscription = map.watch("", seen::add);
            map.put("a", new Tally(1));
            assertThat(next(seen).key()).isEqualTo("a");
            subscription.close();
            subscription.close();
            map.put("b", new Tally(2));
            assertThat(seen.poll(300, TimeUnit.MILLISECONDS)).isNull();
        }
    }

    @Test
    void watchingAfterAVersionTheStoreNeverHandedOutIsRefusedNamingIt() {
        try (SharedStore store = open()) {
            SharedMap<Tally> map = store.map("m", Tally.class);
            long version = map.put("a", new Tally(1));
            assertThatThrownBy(() -> map.watch("", version + 1000, change -> { }))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("after version " + (version + 1000));
            assertThatThrownBy(() -> map.watch("", -1, change -> { }))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("after version -1");
        }
    }

    @Test
    void anEntryWhoseTimeToLiveRunsOutIsHandedOutAsAnExpiry() throws Exception {
        try (SharedStore store = open()) {
            SharedMap<Tally> map = store.map("m", Tally.class);
            BlockingQueue<Change<Tally>> seen = new LinkedBlockingQueue<>();
            try (Subscription ignored = map.watch("", seen::add)) {
                long written = map.put("brief", new Tally(1), Duration.ofMillis(50));
                assertThat(next(seen).version()).isEqualTo(written);
                Change<Tally> expiry = next(seen);
                assertThat(expiry.kind()).isEqualTo(Change.Kind.EXPIRY);
                assertThat(expiry.key()).isEqualTo("brief");
                assertThat(expiry.version()).isGreaterThan(written);
            }
        }
    }

    @Test
    void twoWriterProcessesAndAWatcherProcessSeeEveryVersionOfEveryKeyOnceAndInOrder() {
        String location = store();
        int keys = 20;
        int rounds = 150;
        List<ChildJvm> children = new ArrayList<>();
        try (SharedStore store = Stores.open(location)) {
            ChildJvm watcher = ChildJvm.start(WatchChild.class, "watch", location, "m", "", "now");
            children.add(watcher);
            watcher.awaitLine("READY", CrossProcessContract.CHILD_TIMEOUT);
            for (String writer : List.of("a", "b")) {
                children.add(ChildJvm.start(WatchChild.class, "write", location, "m", writer, String.valueOf(keys),
                        String.valueOf(rounds)));
            }
            CrossProcessContract.awaitValue(() -> store.counter("barrier.ready").get(), 2);
            store.counter("barrier.go").set(1);
            Map<Long, String> written = new HashMap<>();
            for (ChildJvm writer : children.subList(1, 3)) {
                for (String line : writer.awaitAllLines(CrossProcessContract.CHILD_TIMEOUT)) {
                    if (line.startsWith("W ")) {
                        String[] parts = line.split(" ");
                        written.put(Long.parseLong(parts[2]), parts[1]);
                    }
                }
                assertThat(writer.awaitExit(CrossProcessContract.CHILD_TIMEOUT)).isZero();
            }
            assertThat(written).hasSize(2 * keys * rounds);
            long newest = written.keySet().stream().mapToLong(Long::longValue).max().orElseThrow();

            List<long[]> gaps = new ArrayList<>();
            Map<Long, String> watched = readWatcher(watcher, newest, gaps);
            assertThat(gaps).as("no process died and the log keeps them all: nothing may be missed").isEmpty();
            assertThat(watched).isEqualTo(written);
        } finally {
            children.forEach(ChildJvm::close);
        }
    }

    @Test
    void aWatcherKilledAndRestartedAfterTheLastVersionItHandledMissesNothing() throws Exception {
        String location = store();
        List<ChildJvm> children = new ArrayList<>();
        try (SharedStore store = Stores.open(location)) {
            SharedMap<Tally> map = store.map("m", Tally.class);
            ChildJvm first = ChildJvm.start(WatchChild.class, "watch", location, "m", "", "now");
            children.add(first);
            first.awaitLine("READY", CrossProcessContract.CHILD_TIMEOUT);
            Map<Long, String> written = new java.util.concurrent.ConcurrentHashMap<>();
            Thread writer = new Thread(() -> {
                for (int i = 0; i < 3000; i++) {
                    written.put(map.put("k" + (i % 7), new Tally(i)), "k" + (i % 7));
                    if (i % 10 == 0) {
                        java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
                    }
                }
            });
            writer.start();
            for (int i = 0; i < 100; i++) {
                first.awaitLine("C ", WAIT);
            }
            first.kill(); // while changes keep coming
            List<String> printed = first.awaitAllLines(WAIT); // what it handled, to its last line
            Map<Long, String> watched = new HashMap<>();
            List<long[]> gaps = new ArrayList<>();
            long handled = 0;
            for (String line : printed) {
                String[] parts = line.split(" ");
                if (line.startsWith("C WRITE ") && parts.length == 5) { // a line cut short by the kill was not handled
                    handled = Long.parseLong(parts[3]);
                    watched.put(handled, parts[2]);
                } else if (line.startsWith("C GAP ") && parts.length == 4) {
                    gaps.add(new long[] {Long.parseLong(parts[2]), Long.parseLong(parts[3])});
                }
            }
            assertThat(handled).isPositive();
            ChildJvm second = ChildJvm.start(WatchChild.class, "watch", location, "m", "", String.valueOf(handled));
            children.add(second);
            second.awaitLine("READY", CrossProcessContract.CHILD_TIMEOUT);
            writer.join();
            Map<Long, String> resumed = readWatcher(second, maxOf(written), gaps);
            assertThat(resumed.keySet()).as("nothing handled twice").doesNotContainAnyElementsOf(watched.keySet());
            watched.putAll(resumed);
            // Every version is handed over, or told as missed: a writer stalled past the log's limit (1 s
            // on the file store, on a loaded machine) is told as a gap, never passed over silently.
            Map<Long, String> expected = new HashMap<>(written);
            expected.keySet().removeIf(version -> gaps.stream().anyMatch(gap -> gap[0] <= version && version <= gap[1]));
            Set<Long> extra = new java.util.TreeSet<>(watched.keySet());
            extra.removeAll(expected.keySet());
            watched.keySet().removeIf(version -> !expected.containsKey(version));
            Set<Long> missing = new java.util.TreeSet<>(expected.keySet());
            missing.removeAll(watched.keySet());
            assertThat(missing).as("versions written and in no watcher's output, no gap told; the killed watcher handled up to %d;"
                    + " versions watched but not written: %s; gaps %s", handled, extra,
                    gaps.stream().map(java.util.Arrays::toString).toList()).isEmpty();
            assertThat(watched).isEqualTo(expected);
            assertThat(written.size() - expected.size()).as("versions told as missed, of %s, in %s", written.size(),
                    gaps.stream().map(java.util.Arrays::toString).toList()).isLessThan(10);
            if (!gaps.isEmpty()) {
                System.out.println(getClass().getSimpleName() + ": the watchers were told of gaps "
                        + gaps.stream().map(java.util.Arrays::toString).toList());
            }
        } finally {
            children.forEach(ChildJvm::close);
        }
    }

    /**
     * The watcher's changes up to newest, as version to key, checking as it reads that versions only
     * grow and none comes twice; gaps go to gaps.
     */
    private static Map<Long, String> readWatcher(ChildJvm watcher, long newest, List<long[]> gaps) {
        Map<Long, String> watched = new HashMap<>();
        Set<Long> seen = new HashSet<>();
        long previous = 0;
        while (previous < newest) {
            String[] parts = watcher.awaitLine("C ", WAIT).split(" ");
            long version = Long.parseLong(parts[2]);
            if (parts[0].equals("GAP")) {
                gaps.add(new long[] {Long.parseLong(parts[1]), version});
            } else {
                assertThat(seen.add(version)).as("version %d handed out once", version).isTrue();
                if (parts[0].equals("WRITE")) {
                    watched.put(version, parts[1]);
                }
            }
            assertThat(version).as("versions in order").isGreaterThan(previous);
            previous = version;
        }
        return watched;
    }

    private static long maxOf(Map<Long, String> written) {
        return written.keySet().stream().mapToLong(Long::longValue).max().orElseThrow();
    }

    private static <T> T next(BlockingQueue<T> queue) throws InterruptedException {
        T next = queue.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        if (next == null) {
            throw new AssertionError("no change was handed out within " + WAIT);
        }
        return next;
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
