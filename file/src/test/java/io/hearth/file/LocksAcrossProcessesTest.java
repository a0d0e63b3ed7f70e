package io.hearth.file;

import static org.assertj.core.api.Assertions.assertThat;

import io.hearth.SharedLock;
import io.hearth.SharedStore;
import io.hearth.testkit.ChildJvm;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SharedLock} and leadership across real processes: mutual exclusion, a holder killed with
 * SIGKILL, a leader killed and a leader that resigns. Times are reported, never asserted; the
 * waits below only bound a hang.
 */
class LocksAcrossProcessesTest {
    private static final Duration CHILD = Duration.ofSeconds(Long.getLong("hearth.test.childSeconds", 120));

    @TempDir
    Path dir;

    @Test
    void threeProcessesStartedTogetherAddingByReadAndWriteUnderTheLockLoseNoIncrement() {
        Path path = dir.resolve("count.store");
        int rounds = 1_000;
        try (SharedStore store = SharedStore.open(path)) {
            List<ChildJvm> children = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    children.add(ChildJvm.start(LockChild.class, "count", path.toString(), Integer.toString(rounds)));
                }
                children.forEach(child -> child.awaitLine("READY", CHILD));
                store.counter("go").set(1);
                for (ChildJvm child : children) {
                    child.awaitLine("DONE", CHILD);
                    assertThat(child.awaitExit(CHILD)).isZero();
                }
            } finally {
                children.forEach(ChildJvm::close);
            }
            assertThat(store.map("tally", Long.class).get("n")).isEqualTo(3L * rounds);
        }
    }

    @Test
    void aHolderKilledWithSigkillReleasesTheLockAndTheNextHolderKnowsItDied() throws Exception {
        Path path = dir.resolve("kill.store");
        try (SharedStore store = SharedStore.open(path);
             ChildJvm holder = ChildJvm.start(LockChild.class, "hold", path.toString())) {
            holder.awaitLine("HOLDING", CHILD);
            SharedLock lock = store.lock("job");
            assertThat(lock.tryLock()).as("held by a live process").isFalse();
            assertThat(lock.tryLock(50, TimeUnit.MILLISECONDS)).as("still held by a live process").isFalse();

            long killed = System.nanoTime();
            holder.kill();
            assertThat(lock.tryLock(30, TimeUnit.SECONDS)).as("taken after the holder's death").isTrue();
            long tookMicros = (System.nanoTime() - killed) / 1_000;
            try {
                assertThat(lock.lastHolderDied()).isTrue();
                assertThat(lock.takeovers()).isEqualTo(1);
            } finally {
                lock.unlock();
            }
            System.out.println("LocksAcrossProcessesTest: the lock was taken " + tookMicros + " us after SIGKILL of its holder");
            assertThat(lock.tryLock()).isTrue();
            assertThat(lock.lastHolderDied()).as("released cleanly the last time").isFalse();
            lock.unlock();
        }
    }

    @Test
    void exactlyOneOfThreeCandidatesLeadsAndAnotherLeadsWhenTheLeaderIsKilledOrResigns() throws Exception {
        Path path = dir.resolve("lead.store");
        try (SharedStore store = SharedStore.open(path)) {
            List<ChildJvm> candidates = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    candidates.add(ChildJvm.start(LockChild.class, "lead", path.toString()));
                }
                candidates.forEach(child -> child.awaitLine("CANDIDATE", CHILD));
                ChildJvm first = awaitOneLeader(candidates);
                Thread.sleep(300); // room for a second leader to show itself, which would fail below
                assertThat(leaders(candidates)).containsExactly(first);

                long killed = System.nanoTime();
                first.kill();
                first.awaitExit(CHILD);
                List<ChildJvm> rest = new ArrayList<>(candidates);
                rest.remove(first);
                ChildJvm second = awaitOneLeader(rest);
                long tookMillis = (System.nanoTime() - killed) / 1_000_000;
                Thread.sleep(300);
                assertThat(leaders(rest)).containsExactly(second);

                long resigned = System.nanoTime();
                second.send("resign");
                second.awaitLine("LOST", CHILD);
                second.awaitLine("RESIGNED", CHILD);
                rest.remove(second);
                ChildJvm third = awaitOneLeader(rest);
                long handedMillis = (System.nanoTime() - resigned) / 1_000_000;
                System.out.println("LocksAcrossProcessesTest: another candidate led " + tookMillis + " ms after SIGKILL of the"
                        + " leader, and " + handedMillis + " ms after the next one resigned");
            } finally {
                candidates.forEach(ChildJvm::close);
            }
        }
    }

    private static List<ChildJvm> leaders(List<ChildJvm> candidates) {
        return candidates.stream().filter(child -> child.readAvailableLines().contains("GAINED")).toList();
    }

    private static ChildJvm awaitOneLeader(List<ChildJvm> candidates) throws InterruptedException {
        long deadline = System.nanoTime() + CHILD.toNanos();
        while (System.nanoTime() < deadline) {
            List<ChildJvm> leading = leaders(candidates);
            if (!leading.isEmpty()) {
                assertThat(leading).as("candidates that lead").hasSize(1);
                return leading.get(0);
            }
            Thread.sleep(1);
        }
        throw new AssertionError("no candidate led within " + CHILD + ": " + candidates.stream().map(ChildJvm::linesSeen).toList());
    }
}
