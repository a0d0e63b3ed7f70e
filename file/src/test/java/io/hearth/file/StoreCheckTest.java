package io.hearth.file;

import io.hearth.SharedMap;
import io.hearth.SharedStore;
import io.hearth.StoreCheck;
import io.hearth.testkit.ChildJvm;
import io.hearth.testkit.Tally;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreCheckTest {
    @TempDir
    Path dir;

    @Test
    void theCommandOnAPathWithNoFileSaysSoInOneLineExitsTwoAndCreatesNothing() {
        Path missing = dir.resolve("nowhere").resolve("missing.store");
        try (ChildJvm check = ChildJvm.builder(StoreCheck.class).args(missing.toString()).stderrInLines().start()) {
            assertThat(check.awaitExit(Duration.ofSeconds(60))).isEqualTo(2);
            assertThat(check.awaitAllLines(Duration.ofSeconds(10))).hasSize(1).first().asString().contains("no store file at").contains("missing.store");
        }
        assertThat(missing.getParent()).doesNotExist();
    }

    @Test
    void theCommandOnAFileThatIsNotAStoreSaysSoInOneLineExitsOneAndChangesNothing() throws Exception {
        Path notAStore = dir.resolve("notes.txt");
        byte[] content = "not a store, just some notes that happen to be long enough to hold a header".repeat(100).getBytes();
        Files.write(notAStore, content);
        try (ChildJvm check = ChildJvm.builder(StoreCheck.class).args(notAStore.toString()).stderrInLines().start()) {
            assertThat(check.awaitExit(Duration.ofSeconds(60))).isEqualTo(1);
            assertThat(check.awaitAllLines(Duration.ofSeconds(10))).hasSize(1).first().asString().contains("notes.txt");
        }
        assertThat(Files.readAllBytes(notAStore)).isEqualTo(content);
        try (var listing = Files.list(dir)) {
            assertThat(listing.map(p -> p.getFileName().toString())).containsExactly("notes.txt");
        }
    }

    @Test
    void aStoreInUseIsFoundSound() {
        Path path = dir.resolve("store.store");
        try (SharedStore store = SharedStore.open(path)) {
            for (int i = 0; i < 100; i++) {
                store.counter("c" + i).addAndGet(i);
                store.map(i % 2 == 0 ? "even" : "odd", Tally.class).put("k" + i, new Tally(i));
            }
            store.map("even", Tally.class).remove("k0");
            store.broadcast("t", "{}", java.time.Duration.ZERO);
        }
        StoreCheck.Report report = StoreCheck.run(path);
        assertThat(report.problems()).isEmpty();
        assertThat(report.sound()).isTrue();
        assertThat(report.entries()).isEqualTo(99);
        assertThat(report.counters()).isEqualTo(100);
    }

    @Test
    void aStoreAfterManyWritesOfChangingSizesIsFoundSound() {
        Path path = dir.resolve("store.hearth");
        Random random = new Random(42);
        Map<String, Note> written = new HashMap<>();
        try (SharedStore store = SharedStore.builder(path).maxEntries(2_000).maxValueBytes(2_048).open()) {
            SharedMap<Note> map = store.map("m", Note.class);
            for (int i = 0; i < 6_000; i++) {
                String key = "k" + random.nextInt(400);
                if (random.nextInt(5) == 0) {
                    map.remove(key);
                    written.remove(key);
                } else {
                    Note note = new Note("v".repeat(random.nextInt(2_000)));
                    map.put(key, note);
                    written.put(key, note);
                }
            }
        }
        StoreCheck.Report report = StoreCheck.run(path);
        assertThat(report.problems()).isEmpty();
        assertThat(report.entries()).isEqualTo(written.size());
    }

    @Test
    void aWrongEntryCountAndADamagedCounterSlotAreReported() throws Exception {
        Path path = dir.resolve("store.store");
        try (SharedStore store = SharedStore.open(path)) {
            store.counter("hits").incrementAndGet();
            store.map("m", Tally.class).put("k", new Tally(1));
        }
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            StoreFile raw = StoreFile.mapExisting(path, channel);
            raw.header().setEntryCount(5);
            CounterSlots counters = new CounterSlots(raw.mapped(), (int) raw.layout().counterTableOffset(), raw.layout().counterSlots(), 0);
            for (int slot = 0; slot < raw.layout().counterSlots(); slot++) {
                int offset = counters.slotOffset(slot);
                if (raw.mapped().getIntAcquire(offset + CounterSlots.STATE) > 0) {
                    raw.mapped().setIntPlain(offset + CounterSlots.NAME_LENGTH, 999);
                }
            }
        }
        StoreCheck.Report report = StoreCheck.run(path);
        assertThat(report.sound()).isFalse();
        assertThat(report.problems()).anyMatch(line -> line.contains("header counts 5 entries but 1 are stored"));
        assertThat(report.problems()).anyMatch(line -> line.contains("name length 999"));
    }

    @Test
    void aFlippedBitInAValueIsReportedNamingTheEntryItChanged() throws Exception {
        Path path = dir.resolve("store.hearth");
        try (SharedStore store = SharedStore.open(path)) {
            store.map("m", Note.class).put("k", new Note("needle"));
            store.map("m", Note.class).put("other", new Note("hay"));
        }
        Path entries = EntriesFile.pathOf(path);
        FileDamage.flipBit(entries, FileDamage.indexOf(entries, "needle"), 0);

        StoreCheck.Report report = StoreCheck.run(path);

        assertThat(report.sound()).isFalse();
        assertThat(report.problems()).anyMatch(line -> line.contains("'m/k'") && line.contains("fails its checksum"));
        assertThat(report.entries()).as("entries a read finds whole").isEqualTo(1);
    }

    @Test
    void anEntryNoHashLookupSlotPointsAtIsReportedAsOneReadsMiss() throws Exception {
        Path path = dir.resolve("store.hearth");
        try (SharedStore store = SharedStore.open(path)) {
            store.map("m", Note.class).put("k", new Note("lost"));
        }
        FileDamage.writeInt(EntriesFile.pathOf(path), EntriesRegions.of(path).slotOf(CompositeKeys.of("m", "k")), 0);
        try (SharedStore store = SharedStore.open(path)) {
            assertThat(store.map("m", Note.class).get("k")).as("the read the check warns of").isNull();
        }

        StoreCheck.Report report = StoreCheck.run(path);

        assertThat(report.problems()).anyMatch(line -> line.contains("entry 'm/k'") && line.contains("is in no hash lookup slot"));
        assertThat(report.problems()).anyMatch(line -> line.contains("header counts 1 entries but its hash lookup holds 0"));
    }

    @Test
    void aDamagedSegmentEntryCountIsReportedNotThrown() throws Exception {
        Path path = dir.resolve("store.hearth");
        try (SharedStore store = SharedStore.open(path)) {
            store.map("m", Note.class).put("k", new Note("counted"));
        }
        Path entries = EntriesFile.pathOf(path);
        EntriesRegions regions = EntriesRegions.of(path);
        for (int segment = 0; segment < regions.segments(); segment++) {
            int count = regions.entryCountOf(segment);
            FileDamage.writeInt(entries, count, FileDamage.readInt(entries, count) + 1000);
        }

        StoreCheck.Report report = StoreCheck.run(path);

        assertThat(report.sound()).isFalse();
        assertThat(report.problems()).anyMatch(line -> line.startsWith("segment 0: its header counts 100")
                && line.contains("listing keys fails there"));
    }

    @Test
    void theExtraTiersOfASegmentAreCheckedLikeItsFirst() throws Exception {
        Path path = dir.resolve("store.hearth");
        String filler = "f".repeat(900);
        int written = 450; // of about 15 chunks each: more than the one segment's first tier holds
        try (SharedStore store = SharedStore.builder(path).maxEntries(1_000).maxValueBytes(1_024).open()) {
            SharedMap<Note> map = store.map("m", Note.class);
            for (int i = 0; i < written - 1; i++) {
                map.put("k" + i, new Note(filler));
            }
            map.put("last", new Note("needle" + filler));
        }
        StoreCheck.Report sound = StoreCheck.run(path);
        assertThat(sound.problems()).isEmpty();
        assertThat(sound.entries()).isEqualTo(written);

        Path entries = EntriesFile.pathOf(path);
        FileDamage.flipBit(entries, FileDamage.indexOf(entries, "needle"), 3);
        StoreCheck.Report report = StoreCheck.run(path);

        assertThat(report.problems()).anyMatch(line -> line.startsWith("segment 0 tier 1 hash lookup slot")
                && line.contains("'m/last'") && line.contains("fails its checksum"));
        assertThat(report.problems()).contains("the header counts " + written + " entries but " + (written - 1) + " are stored whole");
    }

    record Note(String text) {
    }
}
