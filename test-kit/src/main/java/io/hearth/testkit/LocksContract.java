package io.hearth.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hearth.Change;
import io.hearth.Leadership;
import io.hearth.LeadershipListener;
import io.hearth.SharedLock;
import io.hearth.SharedStore;
import io.hearth.StoreClosedException;
import io.hearth.Subscription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What {@link SharedLock} and {@link Leadership} promise on every backend, written once:
 * {@code FileLocksTest} (a dead holder known by its pid), {@code RedisLocksTest} (a lease). The
 * cross-process claims run real JVMs ({@link LocksChild}) started together and killed with
 * SIGKILL. Times are printed, never asserted; the waits below only bound a hang.
 */
public abstract class LocksContract {
    private static final Duration WAIT = Duration.ofSeconds(Long.getLong("hearth.test.childSeconds", 120));

    /** This test's fresh store, as {@link Stores#open} takes it: the same for every call within one test. */
    protected abstract String store();

    /** How long a dead holder's claim outlives it at most: 0 where the backend sees the death. */
    protected abstract Duration lease();

    protected SharedStore open() {
        return Stores.open(store());
    }

    @Test
    void theHoldingThreadReentersAndAnotherThreadWaitsUntilTheLastUnlock() throws Exception {
        try (SharedStore store = open()) {
            SharedLock lock = store.lock("job");
            assertThat(store.lock("job")).isSameAs(lock);
            lock.lock();
            lock.lock();
            assertThat(CompletableFuture.supplyAsync(lock::tryLock).get()).isFalse();
            lock.unlock();
            assertThat(CompletableFuture.supplyAsync(lock::tryLock).get()).as("still held once").isFalse();
            assertThat(lock.holderPid()).isEqualTo(ProcessHandle.current().pid());
            lock.unlock();
            assertThat(lock.isHeldByCurrentThread()).isFalse();
            assertThat(lock.holderPid()).as("free").isZero();
            assertThat(CompletableFuture.supplyAsync(() -> {
                boolean taken = lock.tryLock();
                lock.unlock();
                return taken;
            }).get()).isTrue();
        }
    }

    @Test
    void unlockByAThreadThatDoesNotHoldTheLockIsRefusedAndChangesNothing() throws Exception {
        try (SharedStore store = open()) {
            SharedLock lock = store.lock("job");
            assertThatThrownBy(lock::unlock).isInstanceOf(IllegalMonitorStateException.class).hasMessageContaining("job");
            lock.lock();
            try {
                assertThat(CompletableFuture.supplyAsync(() -> {
                    try {
                        lock.unlock();
                        return "unlocked";
                    } catch (IllegalMonitorStateException e) {
                        return e.getMessage();
                    }
                }).get()).contains("is not held by thread");
                assertThat(lock.isHeldByCurrentThread()).isTrue();
            } finally {
                lock.unlock();
            }
            assertThatThrownBy(lock::newCondition).isInstanceOf(UnsupportedOperationException.class);
        }
    }

    @Test
    void twoStoresOfOneProcessExcludeEachOtherAndClosingAStoreReleasesWhatItHeld() throws Exception {
        try (SharedStore other = open()) {
            SharedStore first = open();
            first.lock("job").lock();
            assertThat(other.lock("job").tryLock()).as("held by the first store, open").isFalse();
            first.close();
            assertThat(other.lock("job").tryLock(10, TimeUnit.SECONDS)).isTrue();
            assertThat(other.lock("job").lastHolderDied()).as("the first store let go when it closed").isFalse();
            other.lock("job").unlock();
            assertThatThrownBy(() -> first.lock("job")).isInstanceOf(StoreClosedException.class);
        }
    }

    @Test
    void badNamesAndHearthsOwnMapNamesAreRefused() {
        try (SharedStore store = open()) {
            assertThatThrownBy(() -> store.lock("")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lock name");
            assertThatThrownBy(() -> store.lock("x".repeat(10_000))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("maxKeyBytes");
            assertThatThrownBy(() -> store.leadership("", () -> { })).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("leadership name");
            assertThatThrownBy(() -> store.map("\u0001locks", String.class)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("Hearth's own");
        }
    }

    @Test
    void aLeaderThatClosesItsStoreHearsThatItLostAndTheOtherCandidateLeads() throws Exception {
        CountDownLatch firstGained = new CountDownLatch(1);
        CountDownLatch firstLost = new CountDownLatch(1);
        CountDownLatch secondGained = new CountDownLatch(1);
        try (SharedStore second = open()) {
            SharedStore first = open();
            Leadership leading = first.leadership("job", listener(firstGained, firstLost));
            assertThat(firstGained.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(leading.isLeader()).isTrue();
            assertThat(second.leaders()).containsExactly(Map.entry("job", ProcessHandle.current().pid()));
            Leadership waiting = second.leadership("job", listener(secondGained, new CountDownLatch(1)));
            assertThat(secondGained.await(200, TimeUnit.MILLISECONDS)).as("one leader at a time").isFalse();
            assertThat(waiting.isLeader()).isFalse();

            first.close();
            assertThat(firstLost.getCount()).as("lost, heard before close returned").isZero();
            assertThat(leading.isLeader()).isFalse();
            assertThat(secondGained.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(waiting.isLeader()).isTrue();
            waiting.close();
            assertThat(second.leaders()).as("nobody leads once the last candidate resigned").isEmpty();
        }
    }

    @Test
    void fourProcessesOfTwoThreadsAddingByReadAndWriteUnderTheLockLoseNoIncrement() {
        int processes = 4;
        int threads = 2;
        int rounds = 5_000;
        try (SharedStore store = open()) {
            List<ChildJvm> children = new ArrayList<>();
            try {
                for (int i = 0; i < processes; i++) {
                    children.add(ChildJvm.start(LocksChild.class, "count", store(), Integer.toString(rounds), Integer.toString(threads)));
                }
                children.forEach(child -> child.awaitLine("READY", WAIT));
                long started = System.nanoTime();
                store.counter("go").set(1);
                for (ChildJvm child : children) {
                    child.awaitLine("DONE", WAIT.multipliedBy(3));
                    assertThat(child.awaitExit(WAIT)).isZero();
                }
                System.out.printf("%s: %d lock, read, write, unlock rounds in %d ms%n", getClass().getSimpleName(),
                        processes * threads * rounds, (System.nanoTime() - started) / 1_000_000);
            } finally {
                children.forEach(ChildJvm::close);
            }
            assertThat(store.map("tally", Long.class).get("n")).isEqualTo((long) processes * threads * rounds);
        }
    }

    /**
     * Holders are killed while they hold the lock, between their read and their write: each time a
     * survivor takes it over and says so, and the change feed shows every write adding exactly one
     * to the one before (a write from a stale read would repeat a value).
     */
    @Test
    void aHolderKilledWithSigkillWhileHoldingIsTakenOverEachTimeAndNoIncrementIsLost() throws Exception {
        int kills = 20;
        List<Change<Long>> writes = new CopyOnWriteArrayList<>();
        List<Long> takeoverMicros = new ArrayList<>();
        int misses = 0;
        try (SharedStore store = open();
             Subscription ignored = store.map("tally", Long.class).watch("n", writes::add)) {
            SharedLock lock = store.lock("tally");
            List<ChildJvm> children = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    children.add(ChildJvm.start(LocksChild.class, "churn", store()));
                }
                children.forEach(child -> child.awaitLine("READY", WAIT));
                store.counter("go").set(1);
                while (takeoverMicros.size() < kills) {
                    assertThat(misses).as("kills that found the lock between holders").isLessThan(3 * kills);
                    long pid = lock.holderPid();
                    ChildJvm victim = children.stream().filter(child -> child.pid() == pid).findFirst().orElse(null);
                    if (victim == null) {
                        Thread.sleep(1);
                        continue;
                    }
                    long killed = System.nanoTime();
                    victim.kill();
                    children.remove(victim);
                    victim.close();
                    Long took = awaitTakeover(children, killed, lease().plusSeconds(2));
                    if (took == null) {
                        misses++;
                    } else {
                        takeoverMicros.add(took);
                    }
                    ChildJvm replacement = ChildJvm.start(LocksChild.class, "churn", store());
                    replacement.awaitLine("READY", WAIT);
                    children.add(replacement);
                }
                for (ChildJvm child : children) {
                    child.send("stop");
                    child.awaitLine("DONE", WAIT);
                    assertThat(child.awaitExit(WAIT)).isZero();
                }
            } finally {
                children.forEach(ChildJvm::close);
            }
            long last = store.map("tally", Long.class).get("n");
            awaitSize(writes, last);
            // A holder killed after taking its write's version but before writing leaves a version
            // that names nothing, told as a GAP: past one, a value may be more than one ahead.
            long previous = 0;
            int gaps = 0;
            for (int i = 0; i < writes.size(); i++) {
                Change<Long> change = writes.get(i);
                if (change.kind() == Change.Kind.GAP) {
                    gaps++;
                    continue;
                }
                assertThat(change.kind()).as("change %d of %s", i, writes.size()).isEqualTo(Change.Kind.WRITE);
                boolean afterGap = i > 0 && writes.get(i - 1).kind() == Change.Kind.GAP;
                if (afterGap) {
                    assertThat(change.value()).as("write %d, after a gap, is past the one before", i).isGreaterThan(previous);
                } else {
                    assertThat(change.value()).as("write %d adds one to the one before", i).isEqualTo(previous + 1);
                }
                previous = change.value();
            }
            assertThat(previous).as("the last write seen is the final value").isEqualTo(last);
            assertThat(gaps).as("gaps, at most one per kill").isLessThanOrEqualTo(kills + misses);
            System.out.printf("%s: %d holders killed while holding (%d kills missed one), %d increments exact;"
                            + " taken over %s us after SIGKILL (worst %d us)%n", getClass().getSimpleName(), kills, misses, last,
                    takeoverMicros, Collections.max(takeoverMicros));
        }
    }

    /**
     * Three candidates, the leader killed with SIGKILL every 300 ms for 10 s, a standby (a JVM
     * booted beforehand, its store open) joining for each one killed, and another booted to refill
     * the pool; while the pool is empty the kills wait. every leader, on gaining, finds counter "leading" at one after adding itself
     * (the test takes a leader's one off just before killing it), so no two live processes ever
     * believed they led at once.
     */
    @Test
    void theLeaderKilledEvery300MillisecondsForTenSecondsIsFollowedByOneLeaderAtATime() throws Exception {
        int candidates = 3;
        int pool = 12;
        List<Long> failoverMicros = new ArrayList<>();
        try (SharedStore store = open()) {
            List<ChildJvm> standbys = new ArrayList<>();
            List<ChildJvm> joined = new ArrayList<>();
            List<ChildJvm> all = new ArrayList<>();
            try {
                for (int i = 0; i < pool; i++) {
                    standbys.add(ChildJvm.builder(LocksChild.class).args("lead", store()).heap("64m").start());
                }
                all.addAll(standbys);
                standbys.forEach(child -> child.awaitLine("STANDBY", WAIT));
                while (joined.size() < candidates) {
                    join(standbys, joined);
                }
                ChildJvm leader = awaitLeader(joined, 0, WAIT);
                List<ChildJvm> booting = new ArrayList<>();
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (System.nanoTime() < end) {
                    Thread.sleep(300);
                    booting.removeIf(child -> child.readAvailableLines().contains("STANDBY") && standbys.add(child));
                    if (standbys.isEmpty()) {
                        continue; // no standby to keep three candidates: wait for one to boot
                    }
                    store.counter("leading").addAndGet(-1); // the victim's share: it cannot take it off itself
                    long killed = System.nanoTime();
                    leader.kill();
                    joined.remove(leader);
                    join(standbys, joined);
                    ChildJvm refill = ChildJvm.builder(LocksChild.class).args("lead", store()).heap("64m").start();
                    booting.add(refill);
                    all.add(refill);
                    leader = awaitLeader(joined, killed, WAIT);
                    failoverMicros.add((LocksChild.ledSince(leader) - killed) / 1_000);
                }
                assertThat(store.counter("leading").get()).as("the one leader").isEqualTo(1);
                for (ChildJvm child : all) {
                    for (String line : child.readAvailableLines()) {
                        if (line.startsWith("GAINED")) {
                            assertThat(line).as("%s gained with the count it saw", child).endsWith(" 1");
                        }
                    }
                }
            } finally {
                all.forEach(ChildJvm::close);
            }
            assertThat(failoverMicros).as("leaders killed").hasSizeGreaterThanOrEqualTo(5);
            System.out.printf("%s: %d leaders killed; the next led %s us after SIGKILL (worst %d us)%n",
                    getClass().getSimpleName(), failoverMicros.size(), failoverMicros, Collections.max(failoverMicros));
        }
    }

    @Test
    void aHolderThatIsStoppedButAliveIsNotTakenOverWithinItsLease() throws Exception {
        try (SharedStore store = open();
             ChildJvm holder = ChildJvm.start(LocksChild.class, "hold", store())) {
            holder.awaitLine("HOLDING", WAIT);
            SharedLock lock = store.lock("job");
            assertThat(lock.holderPid()).isEqualTo(holder.pid());
            holder.signal("STOP");
            try {
                Duration within = lease().isZero() ? Duration.ofMillis(500) : lease().dividedBy(2);
                assertThat(lock.tryLock(within.toMillis(), TimeUnit.MILLISECONDS)).as("held by a stopped process").isFalse();
            } finally {
                holder.signal("CONT");
            }
            long killed = System.nanoTime();
            holder.kill();
            assertThat(lock.tryLock(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as("taken after the holder's death").isTrue();
            try {
                assertThat(lock.lastHolderDied()).isTrue();
                assertThat(lock.takeovers()).isEqualTo(1);
            } finally {
                lock.unlock();
            }
            System.out.printf("%s: the lock of a killed holder was taken %d us after SIGKILL%n", getClass().getSimpleName(),
                    (System.nanoTime() - killed) / 1_000);
            assertThat(lock.tryLock()).isTrue();
            assertThat(lock.lastHolderDied()).as("released cleanly the last time").isFalse();
            lock.unlock();
        }
    }

    /** The first takeover any of children prints after killed (System.nanoTime), in microseconds from it; null if none within wait. */
    private static Long awaitTakeover(List<ChildJvm> children, long killed, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline) {
            for (ChildJvm child : children) {
                List<String> lines = child.readAvailableLines();
                for (int i = lines.size() - 1; i >= 0; i--) {
                    if (lines.get(i).startsWith("TOOK_OVER ")) {
                        long at = Long.parseLong(lines.get(i).substring("TOOK_OVER ".length()));
                        if (at > killed) {
                            return (at - killed) / 1_000;
                        }
                        break;
                    }
                }
            }
            Thread.sleep(1);
        }
        return null;
    }

    private static void join(List<ChildJvm> standbys, List<ChildJvm> joined) {
        ChildJvm next = standbys.remove(0);
        next.send("join");
        next.awaitLine("CANDIDATE", WAIT);
        joined.add(next);
    }

    /** The one candidate whose latest event is a gain after since (System.nanoTime); fails if two are. */
    private static ChildJvm awaitLeader(List<ChildJvm> candidates, long since, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline) {
            List<ChildJvm> leading = candidates.stream().filter(child -> LocksChild.ledSince(child) > since).toList();
            if (!leading.isEmpty()) {
                assertThat(leading).as("candidates that lead").hasSize(1);
                return leading.get(0);
            }
            Thread.sleep(1);
        }
        throw new AssertionError("no candidate led within " + wait + ": " + candidates.stream().map(ChildJvm::linesSeen).toList());
    }

    private static void awaitSize(List<?> list, long size) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (list.size() < size && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }

    private static LeadershipListener listener(CountDownLatch gained, CountDownLatch lost) {
        return new LeadershipListener() {
            @Override
            public void gained() {
                gained.countDown();
            }

            @Override
            public void lost() {
                lost.countDown();
            }
        };
    }
}
