package io.hearth.file;

import io.hearth.SharedStore;
import io.hearth.StoreFullException;
import io.hearth.spi.Processes;
import io.hearth.spi.StoreBackend;
import io.hearth.spi.StoredEntry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lock records region read and written directly, with the states a killed process leaves faked in the file. */
class LockRecordsTest {
    private static final String LOCKS = StoreBackend.OWN_MAP_PREFIX + "locks";
    private static final String LEADERS = StoreBackend.OWN_MAP_PREFIX + "leaders";

    @TempDir
    Path dir;
    private FileChannel channel;
    private StoreFile store;
    private LockRecords records;

    @BeforeEach
    void createStore() throws IOException {
        Path path = dir.resolve("records.store");
        SharedStore.open(path).close();
        channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        store = StoreFile.mapExisting(path, channel);
        records = new LockRecords(store, Processes.currentPid());
    }

    @AfterEach
    void closeStore() throws IOException {
        channel.close();
    }

    @Test
    void aRecordIsWrittenOnlyAtTheVersionExpectedAndRemovedOnlyAtItsOwn() {
        long first = records.write(LOCKS, "job", StoreBackend.ABSENT, bytes("a"));
        assertThat(first).isPositive();
        assertThat(records.write(LOCKS, "job", StoreBackend.ABSENT, bytes("b"))).isEqualTo(StoreBackend.CONFLICT);
        long second = records.write(LOCKS, "job", first, bytes("c"));
        assertThat(second).isGreaterThan(first);
        assertThat(records.write(LOCKS, "job", first, bytes("d"))).isEqualTo(StoreBackend.CONFLICT);
        assertThat(records.remove(LOCKS, "job", first)).isNull();
        assertThat(text(records.get(LOCKS, "job"))).isEqualTo("c");

        StoredEntry removed = records.remove(LOCKS, "job", second);

        assertThat(removed.version()).isEqualTo(second);
        assertThat(text(removed)).isEqualTo("c");
        assertThat(records.get(LOCKS, "job")).isNull();
        assertThat(records.write(LOCKS, "job", StoreBackend.ABSENT, bytes("e"))).isGreaterThan(second);
    }

    @Test
    void theSameKeyInTwoOfHearthsMapsIsTwoRecordsAndEachMapListsOnlyItsOwn() {
        records.write(LOCKS, "job", StoreBackend.ABSENT, bytes("lock"));
        records.write(LEADERS, "job", StoreBackend.ABSENT, bytes("leader"));
        records.write(LEADERS, "cron", StoreBackend.ABSENT, bytes("leader"));

        assertThat(text(records.get(LOCKS, "job"))).isEqualTo("lock");
        assertThat(text(records.get(LEADERS, "job"))).isEqualTo("leader");
        assertThat(keys(LOCKS)).containsExactly("job");
        assertThat(keys(LEADERS)).containsExactlyInAnyOrder("job", "cron");
        assertThat(records.mapNames()).containsExactlyInAnyOrder(LOCKS, LEADERS);
    }

    @Test
    void aProcessKilledHalfwayThroughAChangeLeavesEveryRecordAsItWasAndItsGuardIsTakenOver() throws Exception {
        long version = records.write(LOCKS, "job", StoreBackend.ABSENT, bytes("[1,2,\"before\"]"));
        MappedFile file = store.mapped();
        int slot = slotHolding("job");
        int base = records.slotOffset(slot);
        long commit = file.getLongVolatile(base + LockRecords.COMMIT);
        // What a process killed inside a change leaves: its owner word in the guard, the copy that
        // is not live half filled, and a key written into a never-used slot it had not published.
        long deadOwner = MapLockTable.ownerWord(deadProcessId(), 12_345);
        int guard = Math.toIntExact(store.layout().lockRecordsOffset()) + LockRecords.GUARD;
        file.setLongVolatile(guard, deadOwner);
        int notLive = records.copyOffset(base, (int) (1 - (commit & 1)));
        file.setIntPlain(notLive, 9_999);
        file.putBytes(notLive + Integer.BYTES, bytes("torn"));
        int unused = records.slotOffset((slot + 1) % LockRecords.SLOTS);
        assertThat(file.getLongVolatile(unused + LockRecords.COMMIT)).isZero();
        file.setIntPlain(unused + LockRecords.KEY_LENGTH, 5);
        file.putBytes(unused + LockRecords.KEY, bytes("half!"));

        assertThat(text(records.get(LOCKS, "job"))).isEqualTo("[1,2,\"before\"]");
        assertThat(keys(LOCKS)).containsExactly("job");
        List<String> problems = new ArrayList<>();
        records.check(problems);
        assertThat(problems).singleElement().asString().contains("process " + MapLockTable.pidOf(deadOwner), "gone");

        long next = records.write(LOCKS, "job", version, bytes("[3,4,\"after\"]"));

        assertThat(next).isGreaterThan(version);
        assertThat(text(records.get(LOCKS, "job"))).isEqualTo("[3,4,\"after\"]");
        assertThat(file.getLongVolatile(guard)).as("the guard, taken over from the dead and released").isZero();
    }

    @Test
    void whenEverySlotHoldsARecordANewOneIsRefusedNamingTheLimitAndNothingChanges() {
        for (int i = 0; i < LockRecords.SLOTS; i++) {
            assertThat(records.write(LOCKS, "lock-" + i, StoreBackend.ABSENT, bytes("held " + i))).isPositive();
        }

        assertThatThrownBy(() -> records.write(LOCKS, "one-too-many", StoreBackend.ABSENT, bytes("x")))
                .isInstanceOf(StoreFullException.class).hasMessageContaining(String.valueOf(LockRecords.SLOTS));

        assertThat(records.get(LOCKS, "one-too-many")).isNull();
        for (int i = 0; i < LockRecords.SLOTS; i++) {
            assertThat(text(records.get(LOCKS, "lock-" + i))).isEqualTo("held " + i);
        }
        records.remove(LOCKS, "lock-7", StoreBackend.ANY);
        assertThat(records.write(LOCKS, "one-too-many", StoreBackend.ABSENT, bytes("x"))).isPositive();
    }

    @Test
    void aValueOrKeyOverItsLimitIsRefusedNamingTheLimit() {
        byte[] long129 = new byte[LockRecords.MAX_VALUE_BYTES + 1];
        String longKey = "k".repeat(store.layout().maxCompositeKeyBytes());

        assertThatThrownBy(() -> records.write(LOCKS, "job", StoreBackend.ABSENT, long129))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("129").hasMessageContaining("128");
        assertThatThrownBy(() -> records.write(LOCKS, longKey, StoreBackend.ABSENT, bytes("x")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(String.valueOf(store.layout().maxCompositeKeyBytes()));
        assertThat(records.mapNames()).isEmpty();
    }

    @Test
    void recordsRemovedAndWrittenAgainStayFindableAndAnEmptiedTableHasNoRemovedSlotsLeft() {
        Set<String> expected = new HashSet<>();
        for (int i = 0; i < 600; i++) {
            records.write(LOCKS, "first-" + i, StoreBackend.ABSENT, bytes("v"));
            expected.add("first-" + i);
        }
        for (int i = 0; i < 600; i += 2) {
            assertThat(records.remove(LOCKS, "first-" + i, StoreBackend.ANY)).isNotNull();
            expected.remove("first-" + i);
        }
        for (int i = 0; i < 300; i++) {
            records.write(LOCKS, "second-" + i, StoreBackend.ABSENT, bytes("v"));
            expected.add("second-" + i);
        }

        assertThat(keys(LOCKS)).containsExactlyInAnyOrderElementsOf(expected);
        for (String key : expected) {
            assertThat(records.get(LOCKS, key)).as(key).isNotNull();
        }
        for (String key : expected) {
            assertThat(records.remove(LOCKS, key, StoreBackend.ANY)).as(key).isNotNull();
        }
        for (int slot = 0; slot < LockRecords.SLOTS; slot++) {
            assertThat(store.mapped().getLongVolatile(records.slotOffset(slot) + LockRecords.COMMIT))
                    .as("commit word of slot %d", slot).isZero();
        }
    }

    private int slotHolding(String key) {
        byte[] composite = bytes(CompositeKeys.of(LOCKS, key));
        for (int slot = 0; slot < LockRecords.SLOTS; slot++) {
            int base = records.slotOffset(slot);
            if (store.mapped().getIntPlain(base + LockRecords.KEY_LENGTH) == composite.length
                    && store.mapped().bytesEqual(base + LockRecords.KEY, composite)) {
                return slot;
            }
        }
        throw new AssertionError("no slot holds " + key);
    }

    private List<String> keys(String map) {
        List<String> keys = new ArrayList<>();
        records.forEachKey(map, keys::add);
        return keys;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(StoredEntry entry) {
        return entry == null ? null : new String(entry.json(), StandardCharsets.UTF_8);
    }

    private static long deadProcessId() throws IOException, InterruptedException {
        Process process = new ProcessBuilder("true").start();
        process.waitFor();
        return process.pid();
    }
}
