package io.hearth.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.hearth.SharedMap;
import io.hearth.SharedStore;
import io.hearth.StoreCheck;
import io.hearth.testkit.ChildJvm;
import io.hearth.testkit.StoreChild;
import io.hearth.testkit.Tally;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The very first open of a store, SIGKILLed while it creates the files: at every step of the
 * creation ({@link CreationSteps}, where the child pauses until killed) and at random moments of a
 * child that creates a store and exits. The next open must work at once (Chronicle's own creation,
 * cut short, made every later open wait 60 s and fail), with both files owner-only and nothing of
 * the creation left over. The guard only catches such a hang; the slowest next open is printed.
 */
class CreationKillTest {
    private static final List<String> STEPS = List.of("open-lock-taken", "store-header-written", "store-file-allocated",
            "entries-file-started", "entries-map-created", "entries-file-built", "entries-file-in-place", "published");
    private static final int RANDOM_KILLS = 12;
    private static final Duration HANG_GUARD = Duration.ofSeconds(20);
    private static final Duration CHILD = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void aFirstOpenKilledAtAnyStepOfCreatingTheStoreLeavesAStoreTheNextOpenCreatesOrOpensAtOnce() throws Exception {
        List<String> slowest = new ArrayList<>();
        long worstNanos = 0;
        for (String step : STEPS) {
            Path path = dir.resolve(step).resolve("store.store");
            try (ChildJvm child = ChildJvm.builder(StoreChild.class).args("try-open", path.toString())
                    .systemProperty(CreationSteps.PAUSE_AT, step).start()) {
                assertThat(child.awaitLine("PAUSED", CHILD)).isEqualTo(step);
                child.kill();
                child.awaitExit(CHILD);
            }
            long took = nextOpenWorks(path, step);
            if (took > worstNanos) {
                worstNanos = took;
                slowest.add(step + ": " + took / 1_000_000 + " ms");
            }
        }
        SplittableRandom random = new SplittableRandom(42);
        for (int trial = 0; trial < RANDOM_KILLS; trial++) {
            Path path = dir.resolve("random-" + trial).resolve("store.store");
            long killAfterMillis = random.nextLong(200, 2_500);
            try (ChildJvm child = ChildJvm.start(StoreChild.class, "try-open", path.toString())) {
                Thread.sleep(killAfterMillis);
                child.kill();
                child.awaitExit(CHILD);
            }
            long took = nextOpenWorks(path, "a kill after " + killAfterMillis + " ms");
            worstNanos = Math.max(worstNanos, took);
        }
        System.out.println("CreationKillTest: slowest next open " + worstNanos / 1_000_000 + " ms " + slowest);
    }

    /** Opens, writes and reads through the store the killed creation left; returns how long the open took. */
    private static long nextOpenWorks(Path path, String killedAt) throws Exception {
        long started = System.nanoTime();
        long[] took = new long[1];
        assertTimeoutPreemptively(HANG_GUARD, () -> {
            try (SharedStore store = SharedStore.open(path)) {
                took[0] = System.nanoTime() - started;
                SharedMap<Tally> map = store.map("m", Tally.class);
                map.put("k", new Tally(7));
                assertThat(map.get("k")).as("after a kill at %s", killedAt).isEqualTo(new Tally(7));
            }
        }, "the next open after a kill at " + killedAt + " hung");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(path))).as("store file after %s", killedAt)
                .isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(EntriesFile.pathOf(path))))
                .as("entries file after %s", killedAt).isEqualTo("rw-------");
        assertThat(EntriesFile.creatingPath(path)).as("a half-built entries file left after %s", killedAt).doesNotExist();
        assertThat(StoreCheck.run(path).problems()).as("StoreCheck after %s", killedAt).isEmpty();
        return took[0];
    }
}
