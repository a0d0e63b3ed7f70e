package io.hearth.file;

import static org.assertj.core.api.Assertions.assertThat;

import io.hearth.SharedStore;
import io.hearth.testkit.ChildJvm;
import io.hearth.testkit.StoreChild;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many processes opening one store at the same instant take its open lock in turn, and the wait
 * limit that finds a stuck holder runs per holder, not for the whole queue: as when a supervisor
 * starts fifty standbys at once. Each child holds the lock for 400 ms (a test hook), twelve of
 * them queue for about 5 s, and the limit is shortened to 2 s: a limit for the whole wait fails
 * most of them with "its open lock has been held for over 2 s", one per holder fails none.
 */
class ManyOpenersTest {
    private static final int PROCESSES = 12;
    private static final Duration CHILD = Duration.ofSeconds(120);

    @TempDir
    Path dir;

    @Test
    void twelveProcessesQueueingForTheOpenLockLongerThanItsLimitAllOpenTheStore() {
        Path path = dir.resolve("queue.store");
        try (SharedStore store = SharedStore.open(path)) {
            store.counter("opened").get(); // the store exists: the children attach
        }
        long startAt = System.currentTimeMillis() + 6_000; // past every child's JVM start-up
        List<ChildJvm> children = new ArrayList<>();
        try {
            for (int i = 0; i < PROCESSES; i++) {
                children.add(ChildJvm.builder(StoreChild.class)
                        .systemProperty(CreationSteps.PAUSE_AT, "open-lock-taken")
                        .systemProperty(CreationSteps.PAUSE_MILLIS, "400")
                        .systemProperty(StoreOpener.OPEN_LOCK_WAIT_PROPERTY, "2000")
                        .stderrInLines()
                        .args("open-at", path.toString(), Long.toString(startAt)).start());
            }
            Set<Long> counts = new HashSet<>();
            for (ChildJvm child : children) {
                List<String> lines = child.awaitAllLines(CHILD);
                int status = child.awaitExit(CHILD);
                assertThat(status).as("exit status of child %d; its lines: %s", child.pid(), lines).isZero();
                lines.stream().filter(line -> line.startsWith("OPENED ")).map(line -> Long.parseLong(line.substring(7)))
                        .forEach(counts::add);
            }
            assertThat(counts).as("the count each child got from its increment").hasSize(PROCESSES);
        } finally {
            children.forEach(ChildJvm::close);
        }
        try (SharedStore store = SharedStore.open(path)) {
            assertThat(store.counter("opened").get()).isEqualTo(PROCESSES);
        }
    }
}
