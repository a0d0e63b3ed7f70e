package io.hearth.file;

import io.hearth.IncompatibleStoreException;
import io.hearth.SharedStore;
import io.hearth.testkit.Tally;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreFileFormatTest {
    @TempDir
    Path dir;

    @Test
    void openingAFileThatIsNotAStoreFailsNamingTheFileAndLeavesItUntouched() throws IOException {
        Path path = dir.resolve("notes.txt");
        byte[] content = "these are someone's notes, not a Hearth store\n".repeat(200).getBytes();
        Files.write(path, content);

        IncompatibleStoreException thrown = catchThrowableOfType(IncompatibleStoreException.class, () -> SharedStore.open(path));

        assertThat(thrown).hasMessageContaining(path.toString()).hasMessageContaining("not a Hearth store")
                .hasMessageContaining("format version " + StoreHeader.FORMAT_VERSION);
        assertThat(Files.readAllBytes(path)).isEqualTo(content);
        assertThat(Path.of(path + ".entries")).doesNotExist();
    }

    @Test
    void openingAStoreOfAnotherFormatVersionFailsNamingBothVersionsAndLeavesItUntouched() throws IOException {
        Path path = dir.resolve("store.store");
        try (SharedStore store = SharedStore.open(path)) {
            store.counter("kept").set(7);
        }
        writeInt(path, StoreHeader.FORMAT_VERSION_OFFSET, 99);
        byte[] before = Files.readAllBytes(path);
        byte[] entriesBefore = Files.readAllBytes(Path.of(path + ".entries"));

        IncompatibleStoreException thrown = catchThrowableOfType(IncompatibleStoreException.class, () -> SharedStore.open(path));

        assertThat(thrown).hasMessageContaining(path.toString())
                .hasMessageContaining("format version 99").hasMessageContaining("reads format version " + StoreHeader.FORMAT_VERSION);
        assertThat(Files.readAllBytes(path)).isEqualTo(before);
        assertThat(Files.readAllBytes(Path.of(path + ".entries"))).isEqualTo(entriesBefore);
    }

    @Test
    void aFileShorterThanAHeaderIsNotAStore() throws IOException {
        Path path = dir.resolve("short");
        Files.write(path, new byte[] {1, 2, 3});

        assertThat(catchThrowableOfType(IncompatibleStoreException.class, () -> SharedStore.open(path)))
                .hasMessageContaining("only 3 bytes");
        assertThat(Files.readAllBytes(path)).containsExactly(1, 2, 3);
    }

    @Test
    void aCreationCutShortIsCompletedByTheNextOpen() throws IOException {
        Path path = dir.resolve("store.store");
        ByteBuffer header = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN).putLong(0, StoreHeader.INITIALISING_MAGIC);
        Files.write(path, header.array());

        try (SharedStore store = SharedStore.open(path)) {
            assertThat(store.counter("works").incrementAndGet()).isEqualTo(1);
        }
        try (SharedStore store = SharedStore.open(path)) {
            assertThat(store.counter("works").get()).isEqualTo(1);
        }
    }

    @Test
    void aNewStoreFileBesideAnEntriesFileThatHoldsDataIsRefused() throws IOException {
        Path path = dir.resolve("store.store");
        try (SharedStore store = SharedStore.open(path)) {
            store.map("m", Tally.class).put("k", new Tally(1));
        }
        Files.delete(path);
        byte[] entries = Files.readAllBytes(Path.of(path + ".entries"));

        for (int attempt = 1; attempt <= 2; attempt++) { // a retry must be refused just the same
            assertThat(catchThrowableOfType(IncompatibleStoreException.class, () -> SharedStore.open(path)))
                    .as("attempt %d", attempt)
                    .hasMessageContaining(path + ".entries").hasMessageContaining("already holds data");
            assertThat(path).as("no store file left behind by attempt %d", attempt).doesNotExist();
        }
        assertThat(Files.readAllBytes(Path.of(path + ".entries"))).isEqualTo(entries);
    }

    @Test
    void aStoreFileWithADamagedHeaderIsRefusedUntouched() throws IOException {
        Path path = dir.resolve("store.store");
        try (SharedStore store = SharedStore.open(path)) {
            store.counter("c").set(1);
        }
        writeInt(path, StoreHeader.COUNTER_SLOTS_OFFSET, 0);
        byte[] before = Files.readAllBytes(path);

        assertThat(catchThrowableOfType(IncompatibleStoreException.class, () -> SharedStore.open(path)))
                .hasMessageContaining("header is damaged");
        assertThat(Files.readAllBytes(path)).isEqualTo(before);
    }

    @Test
    void theStoreFilesAreReadableAndWritableByTheirOwnerOnly() throws IOException {
        Path path = dir.resolve("store.store");
        try (SharedStore store = SharedStore.open(path)) {
            store.map("m", Tally.class).put("k", new Tally(1));
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(path))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(Path.of(path + ".entries")))).isEqualTo("rw-------");
    }

    @Test
    void anExistingStoreKeepsTheCapacityItWasCreatedWith() {
        Path path = dir.resolve("store.store");
        try (SharedStore store = SharedStore.builder(path).maxEntries(10).open()) {
            assertThat(store.stats().capacity()).isEqualTo(10);
        }
        try (SharedStore store = SharedStore.builder(path).maxEntries(5000).open()) {
            assertThat(store.stats().capacity()).isEqualTo(10);
        }
    }

    private static void writeInt(Path path, int offset, int value) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, value), offset);
        }
    }
}
