package io.hearth.file;

import io.hearth.SharedMap;
import io.hearth.SharedStore;
import io.hearth.testkit.ChildJvm;
import io.hearth.testkit.Tally;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How long a process killed inside a map lock delays a live process that needs the same stripe,
 * by number of entries in the store: the liveness check plus the repair of the whole map. Not
 * part of the build (the name does not end in Test); run it with
 * {@code mvn -B -ntp -pl core verify -Dtest=RepairMeasurement}. It prints figures and checks only
 * that nothing was lost.
 */
class RepairMeasurement {
    @TempDir
    Path dir;

    @Test
    void measureTheDelayADeadHolderCausesByStoreSize() {
        for (int entries : new int[] {1_000, 10_000, 100_000, 1_000_000}) {
            for (int round = 0; round < 3; round++) {
                Path path = dir.resolve("store-" + entries + "-" + round + ".store");
                try (SharedStore survivor = SharedStore.builder(path).maxEntries(entries).open()) {
                    SharedMap<Tally> map = survivor.map("m", Tally.class);
                    for (int i = 0; i < entries; i++) {
                        map.put("k" + i, new Tally(i));
                    }
                    try (ChildJvm child = ChildJvm.start(RawStoreChild.class, "hold-lock", path.toString(), "m", "k1")) {
                        child.awaitLine("LOCKED", Duration.ofMinutes(2));
                        child.kill();
                    }
                    long started = System.nanoTime();
                    Tally read = map.get("k1");
                    long waitedMicros = (System.nanoTime() - started) / 1_000;
                    assertThat(read).isEqualTo(new Tally(1));
                    assertThat(survivor.stats().entries()).isEqualTo(entries);
                    for (int i = 0; i < entries; i++) {
                        assertThat(map.get("k" + i)).as("k" + i + " after the repair").isEqualTo(new Tally(i));
                    }
                    System.out.printf("REPAIR entries=%d round=%d survivor waited %,d us%n", entries, round, waitedMicros);
                }
            }
        }
    }
}
