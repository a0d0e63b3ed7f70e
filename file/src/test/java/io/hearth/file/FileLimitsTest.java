package io.hearth.file;

import io.hearth.SharedMap;
import io.hearth.SharedStore;
import io.hearth.testkit.LimitsContract;
import io.hearth.testkit.TestLimits;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/** The limits contract on the memory-mapped file, plus the file store's builder settings. */
class FileLimitsTest extends LimitsContract {
    @TempDir
    Path dir;

    @Override
    protected SharedStore openWithLimits(TestLimits limits) {
        return FileStores.openWithLimits(dir.resolve("store.store"), limits);
    }

    @Test
    void builderSettingsOutOfRangeAreRefusedNamingTheRange() {
        assertRefused(() -> SharedStore.builder(dir.resolve("x")).maxEntries(0), "maxEntries must be from 1 to 1099511627776, was 0");
        assertRefused(() -> SharedStore.builder(dir.resolve("x")).maxValueBytes(2 << 20), "maxValueBytes must be from 16 to 1048576");
    }

    /**
     * The documented maxima fit in every store shape: a key of maxKeyBytes with a value of exactly
     * maxValueBytes, from a store of one entry to one of a million, with typical sizes far below
     * the maxima (Chronicle caps an entry at the chunks of one segment tier, which these shape).
     */
    @ParameterizedTest(name = "maxEntries={0}, maxValueBytes={1}, maxKeyBytes={2}, expectedValueBytes={3}")
    @CsvSource({
            "1, 1048576, 4096, 256", "10, 1048576, 256, 16", "1000, 1048576, 4096, 1", "100000, 1048576, 256, 256",
            "1000000, 1048576, 256, 16", "100000, 65536, 4096, 1", "1000000, 65536, 256, 256", "1, 16, 1, 1"})
    void aKeyAndAValueAtTheirDocumentedMaximaFitInEveryStoreShape(long maxEntries, int maxValueBytes, int maxKeyBytes,
                                                                  int expectedValueBytes) {
        String key = "k".repeat(maxKeyBytes);
        String value = "x".repeat(maxValueBytes - 2); // JSON adds the quotes
        try (SharedStore store = SharedStore.builder(dir.resolve("shape.store")).maxEntries(maxEntries)
                .maxValueBytes(maxValueBytes).maxKeyBytes(maxKeyBytes).expectedValueBytes(expectedValueBytes).open()) {
            SharedMap<String> map = store.map("m", String.class);
            map.put(key, value);
            assertThat(map.get(key)).isEqualTo(value);
        }
    }
}
