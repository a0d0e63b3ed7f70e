package io.hearth;

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
