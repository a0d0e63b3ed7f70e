package io.hearth.file;

import io.hearth.testkit.ChangeFeedContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The change feed contract on the memory-mapped file: its change log, {@code PATH.changes}. */
class FileChangeFeedTest extends ChangeFeedContract {
    @TempDir
    Path dir;

    @Override
    protected String store() {
        return dir.resolve("feed.store").toString();
    }

    @Override
    protected int changesKept() {
        return ChangeRing.SLOTS;
    }
}
