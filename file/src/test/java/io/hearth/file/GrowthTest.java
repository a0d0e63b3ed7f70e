package io.hearth.file;

import static org.assertj.core.api.Assertions.assertThat;

import io.hearth.SharedMap;
import io.hearth.SharedStore;
import io.hearth.StoreCheck;
import io.hearth.StoreStats;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A store opened with no settings grows as it fills: no capacity to guess. */
class GrowthTest {
    @TempDir
    Path dir;

    @Test
    void aStoreOpenedWithNoSettingsGrowsPastItsFirstSizeAndKeepsEveryEntry() {
        Path path = dir.resolve("grow.store");
        int entries = 300_000;
        try (SharedStore store = SharedStore.open(path)) {
            SharedMap<String> map = store.map("m", String.class);
            for (int i = 0; i < entries; i++) {
                map.put("key-" + i, "value-" + i);
            }
            for (int i = 0; i < entries; i++) {
                assertThat(map.get("key-" + i)).isEqualTo("value-" + i);
            }
            assertThat(map.size()).isEqualTo(entries);
            StoreStats stats = store.stats();
            assertThat(stats.entries()).isEqualTo(entries);
            System.out.println("GrowthTest: " + stats);
        }
        StoreCheck.Report report = StoreCheck.run(path);
        assertThat(report.problems()).isEmpty();
        assertThat(report.entries()).isEqualTo(entries);
    }
}
