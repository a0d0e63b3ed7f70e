package io.hearth.file;

import static org.assertj.core.api.Assertions.assertThat;

import io.hearth.SharedCounter;
import io.hearth.SharedMap;
import io.hearth.SharedStore;
import io.hearth.StoreCheck;
import io.hearth.StoreStats;
import io.hearth.testkit.ChildJvm;
import io.hearth.testkit.ExpiryContract;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The expiry contract on the memory-mapped file, plus its sweep: space that comes back, and sweepers killed midway. */
class FileExpiryTest extends ExpiryContract {
    private static final Duration CHILD = Duration.ofSeconds(120);
    /** How long the sweep may take to catch up before the test gives up (it takes seconds). */
    private static final Duration SWEEP_PATIENCE = Duration.ofMinutes(3);

    @TempDir
    Path dir;

    @Override
    protected String store() {
        return dir.resolve("expiry.store").toString();
    }

    @Test
    void threeRoundsOfThreeHundredThousandEntriesThatExpireInASecondAreSweptToUnderOnePercentAndWritingGoesOn() {
        int perRound = 300_000;
        try (SharedStore store = SharedStore.open(dir.resolve("rounds.store"))) {
            SharedMap<String> cache = store.map("cache", String.class);
            long lastWrite = 0;
            StringBuilder report = new StringBuilder();
            for (int round = 0; round < 3; round++) {
                long started = System.nanoTime();
                for (int i = 0; i < perRound; i++) {
                    String key = "r" + round + "-" + i;
                    cache.put(key, FaultChild.valueFor(key, 100), Duration.ofSeconds(1));
                }
                lastWrite = System.currentTimeMillis();
                StoreStats stats = store.stats();
                report.append(" round ").append(round).append(": written in ").append((System.nanoTime() - started) / 1_000_000)
                        .append(" ms, then ").append(stats.entries()).append(" entries in ").append(stats.generation())
                        .append(" shards;");
            }
            while (System.currentTimeMillis() < lastWrite + 1_000) {
                LockSupport.parkNanos(10_000_000);
            }
            assertThat(cache.size()).as("entries a read can see past the last deadline").isZero();
            long sweepStarted = System.nanoTime();
            long deadline = sweepStarted + SWEEP_PATIENCE.toNanos();
            while (store.stats().entries() > perRound / 100 && System.nanoTime() - deadline < 0) {
                LockSupport.parkNanos(50_000_000);
            }
            StoreStats swept = store.stats();
            System.out.println("FileExpiryTest:" + report + " the sweep brought " + swept.entries() + " entries left "
                    + (System.nanoTime() - sweepStarted) / 1_000_000 + " ms after the last deadline; " + swept.fileBytes()
                    + " bytes on disk");
            assertThat(swept.entries()).as("entries the stats count after the sweep").isLessThanOrEqualTo(perRound / 100);

            for (int i = 0; i < 10_000; i++) {
                cache.put("after-" + i, "kept");
            }
            assertThat(cache.size()).isEqualTo(10_000);
        }
        assertThat(StoreCheck.run(dir.resolve("rounds.store")).problems()).isEmpty();
    }

    @Test
    void expiredCountersGiveTheirSlotsToNewNamesInAStoreWithACounterCap() {
        try (SharedStore store = SharedStore.builder(dir.resolve("capped.store")).maxCounters(8).open()) {
            for (int i = 0; i < 8; i++) {
                store.counter("window-a-" + i, Duration.ofMillis(100)).incrementAndGet();
            }
            long started = System.currentTimeMillis();
            while (System.currentTimeMillis() < started + 150) {
                LockSupport.parkNanos(10_000_000);
            }
            for (int i = 0; i < 8; i++) {
                SharedCounter next = store.counter("window-b-" + i, Duration.ofMinutes(1));
                assertThat(next.incrementAndGet()).isEqualTo(1);
            }
            assertThat(store.stats().counters()).isEqualTo(8);
            for (int i = 0; i < 8; i++) {
                assertThat(store.findCounter("window-a-" + i)).isEmpty();
            }
        }
    }

    @Test
    void sweepersKilledInsideASweepStepOrAtRandomLoseNoLiveEntryAndLeaveTheStoreClean() {
        Path path = dir.resolve("swept.store");
        String[] pauses = {"sweep-journaled", "sweep-removed", null};
        int kills = 12;
        SplittableRandom random = new SplittableRandom(20261201);
        int pausedKills = 0;
        try (SharedStore store = SharedStore.open(path);
             ChildJvm writer = ChildJvm.start(FaultChild.class, "expiry-writer", path.toString())) {
            writer.awaitLine("STARTED", CHILD);
            for (int kill = 0; kill < kills; kill++) {
                String pauseAt = pauses[kill % pauses.length];
                ChildJvm.Builder victim = ChildJvm.builder(FaultChild.class).args("sweeper", path.toString());
                if (pauseAt != null) {
                    victim.systemProperty(CreationSteps.PAUSE_AT, pauseAt);
                }
                try (ChildJvm sweeper = victim.start()) {
                    sweeper.awaitLine("STARTED", CHILD);
                    if (pauseAt != null) {
                        assertThat(sweeper.awaitLine("PAUSED", CHILD)).isEqualTo(pauseAt);
                        pausedKills++;
                    } else {
                        LockSupport.parkNanos(Duration.ofMillis(random.nextLong(100, 800)).toNanos());
                    }
                    sweeper.kill();
                    sweeper.awaitExit(CHILD);
                }
            }
            store.counter("stop").set(1);
            long live = Long.parseLong(writer.awaitLine("LIVE", CHILD));
            long slowest = Long.parseLong(writer.awaitLine("SLOWEST_MS", CHILD));
            assertThat(writer.awaitExit(CHILD)).isZero();

            SharedMap<String> map = store.map("expiry", String.class);
            assertThat(store.counter("acked-live").get()).isEqualTo(live);
            for (long n = 0; n < live; n++) {
                assertThat(map.get("live-" + n)).as("live-%d of %d", n, live).isEqualTo(FaultChild.valueFor("live-" + n, 100));
            }
            List<String> keys = new ArrayList<>();
            map.keys().forEach(keys::add);
            assertThat(keys).allMatch(key -> key.startsWith("live-")).hasSize((int) live);
            System.out.println("FileExpiryTest: " + kills + " sweepers killed, " + pausedKills + " inside a removal; "
                    + live + " live entries all read back; the writer's slowest call " + slowest + " ms");
        }
        assertThat(StoreCheck.run(path).problems()).isEmpty();
    }
}
