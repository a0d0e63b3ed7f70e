package io.hearth.file;

import static org.assertj.core.api.Assertions.assertThat;

import io.hearth.SharedStore;
import io.hearth.StoreStats;
import io.hearth.testkit.ChildJvm;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Settings apply when a store is created. Processes that create one store at the same instant
 * with different settings all open the one store that won, and the losers are told, in a warning;
 * stats() shows every limit the store really has.
 */
class CreationRaceTest {
    private static final Duration CHILD = Duration.ofSeconds(60);
    private static final int[] ASKED = {1024, 4096, 65_536};

    @TempDir
    Path dir;

    @Test
    void processesCreatingOneStoreWithDifferentSettingsAllGetTheWinnersAndTheLosersAreWarned() {
        Path path = dir.resolve("fresh").resolve("race.store");
        long at = System.currentTimeMillis() + 3_000;
        List<ChildJvm> children = new ArrayList<>();
        List<Integer> got = new ArrayList<>();
        try {
            for (int asked : ASKED) {
                children.add(ChildJvm.start(FaultChild.class, "create-at", path.toString(), Long.toString(at), Integer.toString(asked)));
            }
            int warned = 0;
            int winners = 0;
            for (int i = 0; i < ASKED.length; i++) {
                int maxValueBytes = Integer.parseInt(children.get(i).awaitLine("MAX_VALUE_BYTES", CHILD));
                int warnings = Integer.parseInt(children.get(i).awaitLine("WARNED", CHILD));
                got.add(maxValueBytes);
                warned += warnings;
                if (maxValueBytes == ASKED[i]) {
                    winners++;
                    assertThat(warnings).as("warnings of the process whose settings won").isZero();
                } else {
                    assertThat(warnings).as("warnings of a process whose settings lost").isEqualTo(1);
                }
            }
            assertThat(got).as("maxValueBytes each process sees").containsOnly(got.get(0));
            assertThat(winners).isEqualTo(1);
            assertThat(warned).isEqualTo(ASKED.length - 1);
        } finally {
            children.forEach(ChildJvm::close);
        }
        try (SharedStore store = SharedStore.open(path)) {
            StoreStats stats = store.stats();
            assertThat(stats.maxKeyBytes()).isEqualTo(256);
            assertThat(stats.maxBroadcastBytes()).isEqualTo(16 * 1024);
            assertThat(stats.workerCapacity()).isEqualTo(256);
            assertThat(stats.maxValueBytes()).isEqualTo(got.get(0));
        }
    }
}
