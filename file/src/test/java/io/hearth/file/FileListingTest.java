package io.hearth.file;

import static org.assertj.core.api.Assertions.assertThat;

import io.hearth.SharedLock;
import io.hearth.SharedStore;
import io.hearth.testkit.ListingContract;
import io.hearth.testkit.Tally;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The listing contract on the file store, plus what only the file store has: Hearth's own maps. */
class FileListingTest extends ListingContract {
    @TempDir
    Path dir;

    @Override
    protected String store() {
        return dir.resolve("listing.store").toString();
    }

    @Test
    void theMapsOfLocksAreNotAmongTheMapNames() {
        try (SharedStore store = open()) {
            store.map("users", Tally.class).put("ada", new Tally(1));
            SharedLock lock = store.lock("migration");
            lock.lock();
            try {
                assertThat(store.mapNames()).containsExactly("users");
            } finally {
                lock.unlock();
            }
        }
    }
}
