package io.hearth.file;

import io.hearth.SharedMap;
import io.hearth.SharedStore;
import io.hearth.StoreCheck;
import io.hearth.Versioned;
import io.hearth.testkit.ChildJvm;
import io.hearth.testkit.Tally;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import net.openhft.chronicle.hash.impl.SizePrefixedBlob;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process killed inside a map lock (Hearth's stripe and Chronicle's segment lock). Chronicle's
 * lock alone would hold that segment for its 60 s timeout and then fail every call. A live process
 * that needs the segment repairs it within the one second; with nobody live, the next open
 * repairs it. The 30 s guards only catch a hang.
 */
class CrashRecoveryTest {
    private static final Duration CHILD = Duration.ofSeconds(120);
    private static final Duration HANG_GUARD = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void aSegmentLockedByAProcessKilledInsideItIsRepairedByTheNextOpenWithNobodyLive() {
        Path path = dir.resolve("store.store");
        seed(path);
        killInsideLock(path);

        assertTimeoutPreemptively(HANG_GUARD, () -> assertRepaired(path));
        assertThat(StoreCheck.run(path).problems()).isEmpty();
    }

    @Test
    void aDeathNoticedByAProcessStillRunningIsRepairedOnceEveryProcessHasStopped() {
        Path path = dir.resolve("store.store");
        seed(path);
        try (SharedStore survivor = SharedStore.open(path)) {
            killInsideLock(path);
            assertThat(survivor.workers()).as("the dead process's slot is freed").hasSize(1);
        }
        assertTimeoutPreemptively(HANG_GUARD, () -> assertRepaired(path));
    }

    @Test
    void aLiveProcessRepairsASegmentLeftLockedByAKilledProcessAndReadsOn() {
        Path path = dir.resolve("store.store");
        seed(path);
        try (SharedStore survivor = SharedStore.open(path)) {
            kill(path, "hold-lock", "k");
            SharedMap<Tally> map = survivor.map("m", Tally.class);

            long started = System.nanoTime();
            Tally read = assertTimeoutPreemptively(HANG_GUARD, () -> map.get("k"));
            Duration waited = Duration.ofNanos(System.nanoTime() - started);

            System.out.println("CrashRecoveryTest: the survivor waited " + waited.toMillis() + " ms for the dead holder's segment");
            assertThat(read).isEqualTo(new Tally(1));
            map.put("k", new Tally(3));
            assertThat(map.get("k")).isEqualTo(new Tally(3));
            assertThat(map.get("other")).isEqualTo(new Tally(2));
            assertThat(survivor.stats().entries()).isEqualTo(2);
            StoreCheck.Report report = StoreCheck.run(path);
            assertThat(report.problems()).isEmpty();
            assertThat(report.liveRecoveries()).isEqualTo(1);
        }
    }

    @Test
    void aWriteTornByAKilledProcessIsFinishedFromTheJournalNotLeftTorn() {
        Path path = dir.resolve("store.store");
        seed(path);
        try (SharedStore survivor = SharedStore.open(path)) {
            kill(path, "tear-write", "k", "7");
            SharedMap<Tally> map = survivor.map("m", Tally.class);

            long started = System.nanoTime();
            Versioned<Tally> read = assertTimeoutPreemptively(HANG_GUARD, () -> map.getVersioned("k"));
            Duration waited = Duration.ofNanos(System.nanoTime() - started);

            System.out.println("CrashRecoveryTest: the survivor waited " + waited.toMillis() + " ms for the dead holder's segment");
            assertThat(read.value()).as("the journaled write, done again whole").isEqualTo(new Tally(7));
            assertThat(map.get("other")).isEqualTo(new Tally(2));
            assertThat(survivor.stats().entries()).isEqualTo(2);
            assertThat(StoreCheck.run(path).problems()).isEmpty();
        }
        assertThat(StoreCheck.run(path).problems()).isEmpty();
    }

    @Test
    void aRepairCutShortByAnotherDeathIsStartedOverFromItsSnapshotAndLosesNoEntry() {
        Path path = dir.resolve("store.store");
        seed(path);
        try (SharedStore survivor = SharedStore.open(path)) {
            kill(path, "cut-repair", "k");
            SharedMap<Tally> map = survivor.map("m", Tally.class);

            Tally read = assertTimeoutPreemptively(HANG_GUARD, () -> map.get("k"));

            assertThat(read).as("an entry whose lookup slot the cut-short repair had emptied").isEqualTo(new Tally(1));
            assertThat(map.get("other")).isEqualTo(new Tally(2));
            assertThat(survivor.stats().entries()).isEqualTo(2);
            assertThat(StoreCheck.run(path).problems()).isEmpty();
        }
    }

    @Test
    void aRepairCutShortWithNobodyLiveIsStartedOverByTheNextOpen() {
        Path path = dir.resolve("store.store");
        seed(path);
        kill(path, "cut-repair", "k");

        try (SharedStore store = assertTimeoutPreemptively(HANG_GUARD, () -> SharedStore.open(path))) {
            assertThat(store.map("m", Tally.class).get("k")).isEqualTo(new Tally(1));
            assertThat(store.map("m", Tally.class).get("other")).isEqualTo(new Tally(2));
            assertThat(StoreCheck.run(path).problems()).isEmpty();
        }
    }

    @Test
    void anOpenAfterAnOpensRecoveryWasCutShortRepairsAtOnceInsteadOfWaitingForChronicle() throws Exception {
        Path path = dir.resolve("store.store");
        seed(path);
        killInsideLock(path);
        markRecoveryCutShort(path);

        // Chronicle alone waits 60 s for the process finishing the header; 30 s catches that.
        assertTimeoutPreemptively(HANG_GUARD, () -> assertRepaired(path));
    }

    @Test
    void anOpensWholeFileRecoveryCutShortInsideALookupRebuildIsStartedOverFromItsSnapshot() throws Exception {
        Path path = dir.resolve("store.store");
        seed(path);
        // A lookup emptied after its snapshot was published, and the header Chronicle's recovery marks
        // not complete: what an open's recovery killed in the middle of rebuilding a lookup leaves.
        kill(path, "cut-repair", "k");
        markRecoveryCutShort(path);

        assertTimeoutPreemptively(HANG_GUARD, () -> assertRepaired(path));
    }

    /** What Chronicle's recoverPersistedTo leaves when its process dies during it: the header marked not complete. */
    private static void markRecoveryCutShort(Path path) throws Exception {
        try (FileChannel entries = FileChannel.open(Path.of(path + ".entries"), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer sizeWord = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            entries.read(sizeWord, SizePrefixedBlob.SIZE_WORD_OFFSET);
            sizeWord.putInt(0, sizeWord.getInt(0) | SizePrefixedBlob.NOT_COMPLETE).rewind();
            entries.write(sizeWord, SizePrefixedBlob.SIZE_WORD_OFFSET);
        }
    }

    @Test
    void aTornWriteLeftWithNobodyLiveIsFinishedByTheNextOpen() {
        Path path = dir.resolve("store.store");
        seed(path);
        kill(path, "tear-write", "k", "7");

        try (SharedStore store = assertTimeoutPreemptively(HANG_GUARD, () -> SharedStore.open(path))) {
            assertThat(store.map("m", Tally.class).get("k")).isEqualTo(new Tally(7));
            assertThat(store.stats().entries()).isEqualTo(2);
            assertThat(StoreCheck.run(path).problems()).isEmpty();
        }
    }

    private static void kill(Path path, String scenario, String... args) {
        String[] all = new String[args.length + 3];
        all[0] = scenario;
        all[1] = path.toString();
        all[2] = "m";
        System.arraycopy(args, 0, all, 3, args.length);
        try (ChildJvm child = ChildJvm.start(RawStoreChild.class, all)) {
            child.awaitLine("LOCKED", CHILD);
            child.kill();
        }
    }

    private static void seed(Path path) {
        try (SharedStore store = SharedStore.open(path)) {
            store.map("m", Tally.class).put("k", new Tally(1));
            store.map("m", Tally.class).put("other", new Tally(2));
            store.counter("c").set(5);
        }
    }

    private static void killInsideLock(Path path) {
        kill(path, "hold-lock", "k");
    }

    private static void assertRepaired(Path path) {
        try (SharedStore store = SharedStore.open(path)) {
            SharedMap<Tally> map = store.map("m", Tally.class);
            assertThat(map.get("k")).isEqualTo(new Tally(1));
            map.put("k", new Tally(3));
            assertThat(map.get("k")).isEqualTo(new Tally(3));
            assertThat(map.get("other")).isEqualTo(new Tally(2));
            assertThat(store.counter("c").get()).isEqualTo(5);
            assertThat(store.stats().entries()).isEqualTo(2);
        }
    }
}
