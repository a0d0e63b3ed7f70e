package io.hearth.file;

import io.hearth.SharedStore;
import io.hearth.StoreCheck;
import io.hearth.testkit.Tally;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreCheckTest {
    @TempDir
    Path dir;

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
}
