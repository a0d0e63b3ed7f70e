package io.hearth.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.hearth.IncompatibleStoreException;
import io.hearth.SharedMap;
import io.hearth.SharedStore;
import io.hearth.StoreCheck;
import io.hearth.testkit.ChildJvm;
import io.hearth.testkit.StoreChild;
import io.hearth.testkit.Tally;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store's two files belong together. An entries file that went missing used to be silently made
 * anew, empty, under the old header (split brain: processes that still had the deleted file open
 * saw the old entries, new ones an empty map); one copied from another store was taken as this
 * one's. Both are refused now, naming the files, and nothing is created.
 */
class MissingFilesTest {
    private static final Duration CHILD = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void anEntriesFileDeletedUnderLiveProcessesIsRefusedToANewOpenerWhileTheLiveOnesKeepTheirData() {
        Path path = dir.resolve("store.store");
        try (SharedStore live = SharedStore.open(path);
             ChildJvm other = ChildJvm.start(StoreChild.class, "subscribe", path.toString(), "t")) {
            long otherPid = Long.parseLong(other.awaitLine("READY", CHILD));
            SharedMap<Tally> map = live.map("m", Tally.class);
            map.put("k", new Tally(1));
            deleteEntriesFile(path);

            IncompatibleStoreException refused = catchThrowableOfType(IncompatibleStoreException.class, () -> SharedStore.open(path));

            assertThat(refused).hasMessageContaining(EntriesFile.pathOf(path).toString()).hasMessageContaining("missing")
                    .hasMessageContaining(Long.toString(otherPid));
            assertThat(EntriesFile.pathOf(path)).as("no new, empty entries file").doesNotExist();
            assertThat(map.get("k")).as("what a live process still reads").isEqualTo(new Tally(1));
            map.put("k2", new Tally(2));
            assertThat(map.keys()).containsExactly("k", "k2");
        }
    }

    @Test
    void aClosedStoreWhoseEntriesFileIsMissingIsRefusedAndNotRecreated() {
        Path path = dir.resolve("store.store");
        try (SharedStore store = SharedStore.open(path)) {
            store.map("m", Tally.class).put("k", new Tally(1));
        }
        deleteEntriesFile(path);

        IncompatibleStoreException refused = catchThrowableOfType(IncompatibleStoreException.class, () -> SharedStore.open(path));

        assertThat(refused).hasMessageContaining("missing");
        assertThat(EntriesFile.pathOf(path)).doesNotExist();
        assertThat(StoreCheck.run(path).problems()).anySatisfy(problem -> assertThat(problem).contains("missing"));
    }

    @Test
    void anEntriesFileCopiedFromAnotherStoreIsRefusedAndTheCheckSaysSo() throws Exception {
        Path mine = dir.resolve("mine.store");
        Path theirs = dir.resolve("theirs.store");
        for (Path path : new Path[] {mine, theirs}) {
            try (SharedStore store = SharedStore.open(path)) {
                store.map("m", Tally.class).put("k", new Tally(path == mine ? 1 : 2));
            }
        }
        Files.copy(EntriesFile.pathOf(theirs), EntriesFile.pathOf(mine), StandardCopyOption.REPLACE_EXISTING);

        IncompatibleStoreException refused = catchThrowableOfType(IncompatibleStoreException.class, () -> SharedStore.open(mine));

        assertThat(refused).hasMessageContaining("does not belong to store " + mine);
        assertThat(StoreCheck.run(mine).problems()).anySatisfy(problem -> assertThat(problem).contains("store id"));
    }

    @Test
    void aStoreFileDeletedBesideItsEntriesIsRefusedAndNoStoreFileIsLeftBehind() {
        Path path = dir.resolve("store.store");
        try (SharedStore store = SharedStore.open(path)) {
            store.map("m", Tally.class).put("k", new Tally(1));
        }
        deleteFile(path);

        IncompatibleStoreException refused = catchThrowableOfType(IncompatibleStoreException.class, () -> SharedStore.open(path));

        assertThat(refused).hasMessageContaining("already holds data");
        assertThat(path).doesNotExist();
    }

    private static void deleteEntriesFile(Path path) {
        deleteFile(EntriesFile.pathOf(path));
    }

    private static void deleteFile(Path file) {
        try {
            Files.delete(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
