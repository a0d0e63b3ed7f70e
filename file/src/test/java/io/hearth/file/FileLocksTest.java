package io.hearth.file;

import io.hearth.testkit.LocksContract;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.io.TempDir;

/** The locks contract on the memory-mapped file, where a dead holder is known by its pid: no lease. */
class FileLocksTest extends LocksContract {
    @TempDir
    Path dir;

    @Override
    protected String store() {
        return dir.resolve("locks.store").toString();
    }

    @Override
    protected Duration lease() {
        return Duration.ZERO;
    }
}
