package io.hearth.file;

import io.hearth.HearthException;
import io.hearth.SharedMap;
import io.hearth.SharedStore;
import io.hearth.StoreCheck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EntryChecksumTest {
    record Note(String text) {
    }

    @TempDir
    Path dir;

    @Test
    void aReadOfAnEntryWhoseBytesChangedFailsNamingTheMapTheKeyAndTheFile() throws Exception {
        Path path = dir.resolve("store.hearth");
        try (SharedStore store = SharedStore.open(path)) {
            store.map("notes", Note.class).put("k", new Note("needle"));
            store.map("notes", Note.class).put("other", new Note("hay"));
        }
        Path entries = EntriesFile.pathOf(path);
        // "needle" -> "oeedle": still JSON, still a Note; only the checksum tells.
        FileDamage.flipBit(entries, FileDamage.indexOf(entries, "needle"), 0);

        try (SharedStore store = SharedStore.open(path)) {
            SharedMap<Note> notes = store.map("notes", Note.class);
            assertThatThrownBy(() -> notes.get("k"))
                    .isInstanceOf(HearthException.class)
                    .hasMessageContaining("entry 'k' of map 'notes'")
                    .hasMessageContaining(entries.toString())
                    .hasMessageContaining("fails its checksum");
            assertThat(notes.get("other")).isEqualTo(new Note("hay"));
        }
    }

    @Test
    void aPutOfTheKeyReplacesADamagedEntry() throws Exception {
        Path path = dir.resolve("store.hearth");
        try (SharedStore store = SharedStore.open(path)) {
            store.map("notes", Note.class).put("k", new Note("needle"));
        }
        Path entries = EntriesFile.pathOf(path);
        FileDamage.flipBit(entries, FileDamage.indexOf(entries, "needle"), 0);

        try (SharedStore store = SharedStore.open(path)) {
            SharedMap<Note> notes = store.map("notes", Note.class);
            notes.put("k", new Note("mended"));
            assertThat(notes.get("k")).isEqualTo(new Note("mended"));
        }
        assertThat(StoreCheck.run(path).problems()).isEmpty();
    }
}
