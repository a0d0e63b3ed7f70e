package io.hearth.file;

import io.hearth.SharedStore;
import io.hearth.testkit.LimitsContract;
import io.hearth.testkit.TestLimits;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The limits contract on the memory-mapped file, plus the file store's builder settings. */
class FileLimitsTest extends LimitsContract {
    @TempDir
    Path dir;

    @Override
    protected SharedStore openWithLimits(TestLimits limits) {
        return FileStores.openWithLimits(dir.resolve("store.hearth"), limits);
    }

    @Test
    void builderSettingsOutOfRangeAreRefusedNamingTheRange() {
        assertRefused(() -> SharedStore.builder(dir.resolve("x")).maxEntries(0), "maxEntries must be from 1 to 100000000, was 0");
        assertRefused(() -> SharedStore.builder(dir.resolve("x")).maxValueBytes(2 << 20), "maxValueBytes must be from 16 to 1048576");
    }
}
