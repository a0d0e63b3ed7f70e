package io.hearth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import io.hearth.internal.JvmOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Claims about several processes, tested with real JVMs. */
class CrossProcessTest {
    private static final Duration CHILD_TIMEOUT = Duration.ofSeconds(120);

    @TempDir
    Path dir;

    @Test
    void fourProcessesOfTwoThreadsIncrementingAndUpdatingAtOnceLoseNoUpdate() {
        int processes = 4;
        int threads = 2;
        int increments = 100_000;
        int updates = 10_000;
        Path path = dir.resolve("store.hearth");
        List<ChildJvm> children = new ArrayList<>();
        try (SharedStore store = SharedStore.open(path)) {
            for (int i = 0; i < processes; i++) {
                children.add(ChildJvm.start(StoreChild.class, "hammer", path.toString(),
                        String.valueOf(threads), String.valueOf(increments), String.valueOf(updates)));
            }
            awaitValue(() -> store.counter("barrier.ready").get(), processes);
            store.counter("barrier.go").set(1); // every child is past its start-up: they start together

            long incrementSum = 0;
            long updateSum = 0;
            for (ChildJvm child : children) {
                incrementSum += Long.parseLong(child.awaitLine("INCREMENT_SUM", CHILD_TIMEOUT));
                updateSum += Long.parseLong(child.awaitLine("UPDATE_SUM", CHILD_TIMEOUT));
                assertThat(child.awaitExit(CHILD_TIMEOUT)).isZero();
            }

            long totalIncrements = (long) processes * threads * increments;
            long totalUpdates = (long) processes * threads * updates;
            assertThat(store.counter("hits").get()).isEqualTo(totalIncrements);
            assertThat(store.map("tallies", Tally.class).get("shared").n()).isEqualTo(totalUpdates);
            // Each call returned a distinct value from 1 to the total exactly when the sums are
            // the triangular numbers: two updates that saw the same value would break this.
            assertThat(incrementSum).isEqualTo(totalIncrements * (totalIncrements + 1) / 2);
            assertThat(updateSum).isEqualTo(totalUpdates * (totalUpdates + 1) / 2);
        } finally {
            children.forEach(ChildJvm::close);
        }
    }

    @Test
    void aWriteAcknowledgedInOneProcessIsVisibleInAnotherAsSoonAsTheCallReturns() {
        Path path = dir.resolve("store.hearth");
        try (SharedStore store = SharedStore.open(path);
             ChildJvm writer = ChildJvm.start(StoreChild.class, "ack-writes", path.toString())) {
            writer.awaitLine("READY", CHILD_TIMEOUT);
            SharedMap<Tally> map = store.map("visible", Tally.class);
            for (int n = 1; n <= 200; n++) {
                writer.send("put " + n);
                String[] ack = writer.awaitLine("ACK", CHILD_TIMEOUT).split(" ");
                assertThat(Long.parseLong(ack[0])).isEqualTo(n);
                Versioned<Tally> seen = map.getVersioned("latest");
                assertThat(seen.value().n()).as("map value right after ack %d", n).isEqualTo(n);
                assertThat(seen.version()).isEqualTo(Long.parseLong(ack[1]));
                assertThat(store.counter("visible").get()).as("counter right after ack %d", n).isEqualTo(n);
            }
        }
    }

    @Test
    void dataSurvivesEveryProcessExitingAndReopeningGivesTheSameData() {
        Path path = dir.resolve("store.hearth");
        try (ChildJvm writer = ChildJvm.start(StoreChild.class, "write", path.toString())) {
            writer.awaitLine("WROTE", CHILD_TIMEOUT);
            assertThat(writer.awaitExit(CHILD_TIMEOUT)).isZero();
        }
        try (ChildJvm reader = ChildJvm.start(StoreChild.class, "read", path.toString())) {
            assertThat(reader.awaitLine("COUNTER", CHILD_TIMEOUT)).isEqualTo("42");
            assertThat(reader.awaitLine("ANSWER", CHILD_TIMEOUT)).isEqualTo("42");
            assertThat(reader.awaitLine("KEYS", CHILD_TIMEOUT)).isEqualTo("[answer]");
            assertThat(reader.awaitExit(CHILD_TIMEOUT)).isZero();
        }
        try (SharedStore store = SharedStore.open(path)) {
            assertThat(store.counter("persisted").get()).isEqualTo(42);
            assertThat(store.map("persisted", Tally.class).entries()).containsOnlyKeys("answer");
            assertThat(store.stats().entries()).isEqualTo(1);
        }
    }

    @Test
    void processesOpeningAFileThatDoesNotExistAtTheSameInstantAllShareOneStore() {
        int processes = 6;
        Path path = dir.resolve("fresh").resolve("store.hearth");
        long startAt = System.currentTimeMillis() + 4_000; // past every child's JVM start-up
        List<ChildJvm> children = new ArrayList<>();
        try {
            for (int i = 0; i < processes; i++) {
                children.add(ChildJvm.start(StoreChild.class, "open-at", path.toString(), String.valueOf(startAt)));
            }
            Set<Long> seen = new HashSet<>();
            for (ChildJvm child : children) {
                seen.add(Long.parseLong(child.awaitLine("OPENED", CHILD_TIMEOUT)));
                assertThat(child.awaitExit(CHILD_TIMEOUT)).isZero();
            }
            assertThat(seen).containsExactlyInAnyOrder(1L, 2L, 3L, 4L, 5L, 6L);
        } finally {
            children.forEach(ChildJvm::close);
        }
        try (SharedStore store = SharedStore.open(path)) {
            assertThat(store.counter("opened").get()).isEqualTo(processes);
        }
    }

    @Test
    void aSlowUpdateFunctionInOneProcessBlocksNoOtherProcessAndRetriesOnTheirWrite() {
        Path path = dir.resolve("store.hearth");
        try (SharedStore store = SharedStore.open(path);
             ChildJvm slow = ChildJvm.start(StoreChild.class, "slow-update", path.toString())) {
            awaitValue(() -> store.counter("attempts").get(), 1); // the child is inside its function now
            SharedMap<Tally> map = store.map("slow", Tally.class);
            // Were the function holding a lock, these would hang; the timeout only catches a hang.
            assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
                map.put("key", new Tally(5));
                map.update("key", tally -> new Tally(tally.n() + 1));
                map.put("other", new Tally(7));
            });
            store.counter("release").set(1);
            String[] result = slow.awaitLine("RESULT", CHILD_TIMEOUT).split(" ");
            assertThat(Long.parseLong(result[0])).as("the retry saw our write").isEqualTo(106);
            assertThat(Long.parseLong(result[1])).as("attempts").isGreaterThanOrEqualTo(2);
            assertThat(map.get("key").n()).isEqualTo(106);
        }
    }

    @Test
    void aBroadcastReachesEveryLiveProcessOnceAndDeadProcessesAreDropped() {
        Path path = dir.resolve("store.hearth");
        List<ChildJvm> children = new ArrayList<>();
        List<String> received = new ArrayList<>();
        try (SharedStore store = SharedStore.open(path);
             Subscription ignored = store.subscribe("reload", message -> received.add(message.payload()))) {
            for (int i = 0; i < 3; i++) {
                children.add(ChildJvm.start(StoreChild.class, "subscribe", path.toString(), "reload"));
            }
            Set<Long> everyone = new HashSet<>(List.of(ProcessHandle.current().pid()));
            for (ChildJvm child : children) {
                everyone.add(Long.parseLong(child.awaitLine("READY", CHILD_TIMEOUT)));
            }
            assertThat(store.workers()).extracting(WorkerInfo::pid).containsExactlyInAnyOrderElementsOf(everyone);

            BroadcastResult result = store.broadcast("reload", "{\"v\":1}", Duration.ofSeconds(30));
            assertThat(result.acked()).containsExactlyInAnyOrderElementsOf(everyone);
            assertThat(result.missing()).isEmpty();
            for (ChildJvm child : children) {
                assertThat(child.awaitLine("GOT", CHILD_TIMEOUT)).isEqualTo("{\"v\":1}");
                child.send("sync");
                child.awaitLine("ECHO sync", CHILD_TIMEOUT);
                assertThat(child.linesSeen()).filteredOn(line -> line.startsWith("GOT")).hasSize(1);
            }
            assertThat(received).containsExactly("{\"v\":1}");

            ChildJvm killed = children.get(0);
            killed.kill();
            everyone.remove(killed.pid());
            assertThat(store.workers()).extracting(WorkerInfo::pid).containsExactlyInAnyOrderElementsOf(everyone);
            BroadcastResult second = store.broadcast("reload", "{\"v\":2}", Duration.ofSeconds(30));
            assertThat(second.acked()).containsExactlyInAnyOrderElementsOf(everyone);
            assertThat(second.complete()).isTrue();
        } finally {
            children.forEach(ChildJvm::close);
        }
    }

    @Test
    void openingAStoreWithoutTheJvmOptionsNamesExactlyTheMissingOnesAndCreatesNothing() {
        List<String> required = JvmOptions.required().arguments();
        // The JDK exports sun.misc from jdk.unsupported to everyone, so that one is never missing.
        List<String> missingWhenNoneGiven = required.stream()
                .filter(option -> !option.equals("--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED")).toList();
        assertThat(missingOptions(List.of())).containsExactlyInAnyOrderElementsOf(missingWhenNoneGiven);

        List<String> given = required.subList(0, 4);
        List<String> rest = missingWhenNoneGiven.stream().filter(option -> !given.contains(option)).toList();
        assertThat(missingOptions(given)).containsExactlyInAnyOrderElementsOf(rest);
    }

    private List<String> missingOptions(List<String> given) {
        Path path = dir.resolve("never-created.hearth");
        try (ChildJvm child = ChildJvm.startWithJvmOptions(given, StoreChild.class, "try-open", path.toString())) {
            List<String> missing = List.of(child.awaitLine("MISSING", CHILD_TIMEOUT).split(" "));
            assertThat(child.awaitExit(CHILD_TIMEOUT)).isZero();
            assertThat(path).doesNotExist();
            return missing;
        }
    }

    private static void awaitValue(LongSupplier value, long expected) {
        long deadline = System.nanoTime() + CHILD_TIMEOUT.toNanos();
        while (value.getAsLong() < expected) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("value stayed at " + value.getAsLong() + ", expected " + expected);
            }
            LockSupport.parkNanos(1_000_000);
        }
    }
}
