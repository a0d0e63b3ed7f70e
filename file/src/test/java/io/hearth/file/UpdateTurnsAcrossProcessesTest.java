package io.hearth.file;

import static io.hearth.testkit.CrossProcessContract.CHILD_TIMEOUT;
import static io.hearth.testkit.CrossProcessContract.awaitValue;
import static org.assertj.core.api.Assertions.assertThat;

import io.hearth.SharedMap;
import io.hearth.SharedStore;
import io.hearth.testkit.ChildJvm;
import io.hearth.testkit.StoreChild;
import io.hearth.testkit.Tally;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An update whose function is slow gets in beside another process that updates the same key in a
 * tight loop: after a few lost attempts it takes the key's turn, and the loop waits for it. Without
 * turns such an update loses every attempt for as long as the loop runs.
 */
class UpdateTurnsAcrossProcessesTest {
    /** Far more than taking a turn needs (a few), far fewer than a starved update would make. */
    private static final int MOST_ATTEMPTS = 50;
    private static final int SLOW_UPDATES = 20;

    @TempDir
    Path dir;

    @Test
    void aSlowUpdateGetsInWithinAFewAttemptsWhileAnotherProcessLoopsOnTheSameKey() {
        String path = dir.resolve("turns.store").toString();
        try (SharedStore store = SharedStore.open(Path.of(path));
             ChildJvm loop = ChildJvm.start(StoreChild.class, "update-loop", path, "contended")) {
            SharedMap<Tally> turns = store.map("turns", Tally.class);
            awaitValue(() -> store.counter("barrier.ready").get(), 1);
            store.counter("barrier.go").set(1);
            awaitValue(() -> turns.get("contended") == null ? 0 : turns.get("contended").n(), 10_000); // the loop is hot

            List<Integer> attempts = new ArrayList<>();
            for (int update = 0; update < SLOW_UPDATES; update++) {
                int[] calls = {0};
                turns.update("contended", tally -> {
                    if (++calls[0] > MOST_ATTEMPTS) {
                        throw new AssertionError("a slow update lost " + MOST_ATTEMPTS + " attempts in a row; attempts of the"
                                + " earlier ones: " + attempts);
                    }
                    LockSupport.parkNanos(2_000_000); // a function far slower than the loop's
                    return new Tally(tally.n() + 1_000_000);
                });
                attempts.add(calls[0]);
            }
            System.out.println("attempts of the slow updates: " + attempts);
            store.counter("stop").set(1);
            long loopUpdates = Long.parseLong(loop.awaitLine("UPDATES", CHILD_TIMEOUT).trim());

            assertThat(attempts).allSatisfy(count -> assertThat(count).isLessThanOrEqualTo(MOST_ATTEMPTS));
            assertThat(turns.get("contended").n()).as("every update of both processes counted once")
                    .isEqualTo(loopUpdates + SLOW_UPDATES * 1_000_000L);
        }
    }
}
