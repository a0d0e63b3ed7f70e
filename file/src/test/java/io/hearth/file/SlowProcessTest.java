package io.hearth.file;

import static org.assertj.core.api.Assertions.assertThat;

import io.hearth.BroadcastResult;
import io.hearth.SharedStore;
import io.hearth.StoreCheck;
import io.hearth.WorkerInfo;
import io.hearth.testkit.ChildJvm;
import io.hearth.testkit.Tally;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A live process that is slow is not dead. A broadcast handler that takes 20 s used to stop its
 * process's heartbeat; after 10 s other processes dropped it from the worker table and marked a
 * crash, and the next open ran a whole-file repair under it. Liveness now comes from the operating
 * system alone, and heartbeats run on their own thread.
 */
class SlowProcessTest {
    private static final long HANDLER_MILLIS = 20_000;
    private static final Duration CHILD = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    @Test
    void aSubscriberWhoseHandlerTakesTwentySecondsStaysAWorkerIsReportedMissingAndCausesNoRepair() {
        Path path = dir.resolve("store.store");
        try (SharedStore store = SharedStore.open(path);
             ChildJvm slow = ChildJvm.start(FaultChild.class, "slow-subscriber", path.toString(), "slow", Long.toString(HANDLER_MILLIS))) {
            long slowPid = Long.parseLong(slow.awaitLine("READY", CHILD));
            long repairsBefore = StoreCheck.run(path).liveRecoveries();

            BroadcastResult sent = store.broadcast("slow", "first", Duration.ofSeconds(2));
            assertThat(slow.awaitLine("HANDLING", CHILD)).isEqualTo("first");
            assertThat(sent.acked()).as("acked while its handler still runs").doesNotContain(slowPid);
            assertThat(sent.missing()).as("a live recipient that has not handled the message").contains(slowPid);

            // Past the 10 s after which a late heartbeat used to count as death, others keep opening and writing.
            try (ChildJvm reopener = ChildJvm.start(FaultChild.class, "reopen-loop", path.toString(), "12000")) {
                long slowestOpenMillis = Long.parseLong(reopener.awaitLine("SLOWEST_OPEN_MS", CHILD));
                int rounds = Integer.parseInt(reopener.awaitLine("ROUNDS", CHILD));
                System.out.println("SlowProcessTest: " + rounds + " opens beside the slow subscriber, slowest " + slowestOpenMillis + " ms");
                assertThat(rounds).isPositive();
                assertThat(slowestOpenMillis).as("an open beside a slow live process (ms); 30 s is the open lock's own limit")
                        .isLessThan(10_000);
            }
            assertThat(store.workers()).extracting(WorkerInfo::pid).as("the slow process is still a worker").contains(slowPid);
            BroadcastResult again = store.broadcast("slow", "second", Duration.ZERO);
            assertThat(again.acked()).doesNotContain(slowPid);

            assertThat(slow.awaitLine("HANDLED", CHILD)).isEqualTo("first");
            assertThat(slow.awaitLine("HANDLED", CHILD)).isEqualTo("second");
            awaitAcked(store, slowPid);
            StoreCheck.Report check = StoreCheck.run(path);
            assertThat(check.problems()).isEmpty();
            assertThat(check.liveRecoveries()).as("repairs run while the slow process lived").isEqualTo(repairsBefore);
            assertThat(store.map("m", Tally.class).get("round")).isNotNull();
        }
    }

    private static void awaitAcked(SharedStore store, long pid) {
        long deadline = System.nanoTime() + CHILD.toNanos();
        while (System.nanoTime() - deadline < 0) {
            if (store.broadcast("slow-check", "x", Duration.ofSeconds(5)).acked().contains(pid)) {
                return;
            }
            LockSupport.parkNanos(100_000_000);
        }
        throw new AssertionError("process " + pid + " never acknowledged a broadcast after its slow handler returned");
    }
}
