package io.hearth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process killed inside a Chronicle segment lock. Chronicle's lock would hold that segment for
 * its 60 s timeout and then fail every call; the next open with no live process repairs it. The
 * 30 s bounds only catch that hang: a repaired store answers at once.
 */
class CrashRecoveryTest {
    private static final Duration CHILD = Duration.ofSeconds(120);
    private static final Duration HANG_GUARD = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void aSegmentLockedByAProcessKilledInsideItIsRepairedByTheNextOpenWithNobodyLive() {
        Path path = dir.resolve("store.hearth");
        seed(path);
        killInsideLock(path);

        assertTimeoutPreemptively(HANG_GUARD, () -> assertRepaired(path));
        assertThat(StoreCheck.run(path).problems()).isEmpty();
    }

    @Test
    void aDeathNoticedByAProcessStillRunningIsRepairedOnceEveryProcessHasStopped() {
        Path path = dir.resolve("store.hearth");
        seed(path);
        try (SharedStore survivor = SharedStore.open(path)) {
            killInsideLock(path);
            assertThat(survivor.workers()).as("the dead process's slot is freed").hasSize(1);
        }
        assertTimeoutPreemptively(HANG_GUARD, () -> assertRepaired(path));
    }

    private static void seed(Path path) {
        try (SharedStore store = SharedStore.open(path)) {
            store.map("m", Tally.class).put("k", new Tally(1));
            store.map("m", Tally.class).put("other", new Tally(2));
            store.counter("c").set(5);
        }
    }

    private static void killInsideLock(Path path) {
        try (ChildJvm child = ChildJvm.start(StoreChild.class, "hold-lock", path.toString(), "m", "k")) {
            child.awaitLine("LOCKED", CHILD);
            child.kill();
        }
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
