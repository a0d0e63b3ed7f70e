package io.hearth.file;

import io.hearth.testkit.ConcurrentMapContract;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The ConcurrentMap view's contract on the memory-mapped file, another process mapping the same file. */
class FileConcurrentMapTest extends ConcurrentMapContract {
    @TempDir
    Path dir;

    @Override
    protected String store() {
        return dir.resolve("view.store").toString();
    }
}
