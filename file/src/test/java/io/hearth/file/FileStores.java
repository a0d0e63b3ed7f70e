package io.hearth.file;

import io.hearth.SharedStore;
import io.hearth.testkit.TestLimits;

import java.nio.file.Path;

/** Opens file stores with a contract test's capacity settings, through the builder. */
final class FileStores {
    private FileStores() {
    }

    static SharedStore openWithLimits(Path path, TestLimits limits) {
        return SharedStore.builder(path).maxEntries(limits.maxEntries()).maxCounters(limits.maxCounters())
                .maxValueBytes(limits.maxValueBytes()).open();
    }
}
