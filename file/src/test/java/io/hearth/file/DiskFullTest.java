package io.hearth.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.hearth.SharedMap;
import io.hearth.SharedStore;
import io.hearth.StoreCheck;
import io.hearth.StoreFullException;
import io.hearth.testkit.ChildJvm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store on a small file system that fills up, as /dev/shm-style deployments meet it: a tmpfs of
 * a few MB that the test mounts (it runs as root, as CI does), filled by two writer processes
 * until the disk is full. Every refusal must be a StoreFullException, no process may die, and once
 * the file system is made larger every acknowledged write reads back intact, the check is clean
 * and writing goes on.
 */
class DiskFullTest {
    private static final Duration CHILD = Duration.ofSeconds(120);
    /** Each repetition leaves another amount of room and writes values of another size, so the disk fills at other moments. */
    private static final int REPEATS = Integer.getInteger("hearth.test.diskFullRepeats", 4);

    @TempDir
    Path dir;
    private Path mount;

    @BeforeEach
    void mountASmallFileSystem() throws Exception {
        mount = Files.createDirectory(dir.resolve("small-fs"));
        run("mount", "-t", "tmpfs", "-o", "size=64m,mode=0700", "tmpfs", mount.toString());
    }

    @AfterEach
    void unmount() throws Exception {
        run("umount", "--lazy", mount.toString()); // this JVM may still map the files until they are collected
    }

    static java.util.stream.LongStream seeds() {
        return java.util.stream.LongStream.rangeClosed(1, REPEATS);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void twoWritersFillingTheDiskGetOnlyStoreFullAndEveryAcknowledgedWriteSurvivesOnceSpaceIsBack(long seed) throws Exception {
        SplittableRandom random = new SplittableRandom(seed * 7919L);
        int valueChars = random.nextInt(500, 6_000);
        long roomLeft = random.nextLong(40 * 1024, 2_500 * 1024); // none to a few of the extra tier bulks the store may grow by
        Path path = mount.resolve("full.store");
        // Odd seeds: a store of one size, with a cap; even seeds: a store that grows by small shards until the disk is full.
        boolean grows = seed % 2 == 0;
        SharedStore.Builder builder = SharedStore.builder(path).maxValueBytes(8_192);
        // A capped store sized for small values fills its tiers; a growing one sized for its values splits shards.
        builder = grows ? builder.expectedEntries(2_000).expectedValueBytes(valueChars + 2)
                : builder.maxEntries(20_000).expectedValueBytes(32);
        try (SharedStore store = builder.open()) {
            store.map("fill", String.class).put("seed", "seed");
        }
        if (grows) {
            // Room for one to three more shards of the size the first one has: the store grows, then the disk fills.
            roomLeft = (long) (Files.size(EntriesFile.pathOf(path)) * (2.2 + 2 * random.nextDouble()));
        }
        // Leave the store less room than its entries will want: the disk fills before the store does.
        long usable = Files.getFileStore(mount).getUsableSpace();
        allocate(mount.resolve("ballast"), usable - roomLeft);
        List<String> acked = new ArrayList<>();
        List<ChildJvm> writers = new ArrayList<>();
        try {
            for (String name : new String[] {"a", "b"}) {
                writers.add(ChildJvm.start(FaultChild.class, "fill", path.toString(), name, Integer.toString(valueChars)));
            }
            for (ChildJvm writer : writers) {
                String full = writer.awaitLine("FULL", CHILD);
                String keys = writer.awaitLine("ACKED", CHILD);
                assertThat(writer.linesSeen()).as("what a writer printed").noneMatch(line -> line.startsWith("FAILURE"));
                assertThat(writer.awaitExit(CHILD)).as("writer exit status").isZero();
                assertThat(full).as("the first refusal").contains(mount.toString()).containsAnyOf("no room on the file system",
                        "has no room left"); // a growing store may first fill the one shard that a split could not relieve
                System.out.println("DiskFullTest: first refusal: " + full);
                if (!keys.isEmpty()) {
                    acked.addAll(Arrays.asList(keys.split(",")));
                }
            }
        } finally {
            writers.forEach(ChildJvm::close);
        }
        assertThat(acked).as("writes acknowledged before the disk filled").isNotEmpty();

        run("mount", "-o", "remount,size=512m", mount.toString());
        try (SharedStore store = SharedStore.open(path)) {
            SharedMap<String> map = store.map("fill", String.class);
            for (String key : acked) {
                assertThat(map.get(key)).as("acknowledged write %s", key).isEqualTo(FaultChild.valueFor(key, valueChars));
            }
            assertThat(map.size()).isEqualTo(acked.size() + 1);
            assertThat(StoreCheck.run(path).problems()).isEmpty();
            if (grows) {
                assertThat(store.stats().growths()).as("growths before the disk filled").isPositive();
            }
            map.put("after", FaultChild.valueFor("after", valueChars));
            assertThat(map.get("after")).isEqualTo(FaultChild.valueFor("after", valueChars));
        }
        System.out.println("DiskFullTest: " + (grows ? "a growing store, " : "a capped store, ") + roomLeft / 1024
                + " KiB left, values of " + valueChars + " chars: " + acked.size()
                + " writes acknowledged before the disk filled, all read back");
    }

    @org.junit.jupiter.api.Test
    void creatingAStoreOnAFullFileSystemIsStoreFullNamingTheFileAndLeavesNothingHalfMade() throws Exception {
        allocate(mount.resolve("ballast"), Files.getFileStore(mount).getUsableSpace() - 64 * 1024);
        Path path = mount.resolve("never.store");

        StoreFullException refused = catchThrowableOfType(StoreFullException.class,
                () -> SharedStore.builder(path).maxEntries(1_000).maxValueBytes(8_192).open());

        assertThat(refused).hasMessageContaining(path.toString()).hasMessageContaining("no room on the file system");
        assertThat(EntriesFile.pathOf(path)).doesNotExist();
        assertThat(EntriesFile.creatingPath(path)).doesNotExist();
        Files.delete(mount.resolve("ballast"));
        try (SharedStore store = SharedStore.builder(path).maxEntries(1_000).maxValueBytes(8_192).open()) {
            store.map("m", String.class).put("k", "v");
            assertThat(store.map("m", String.class).get("k")).isEqualTo("v");
        }
    }

    private static void allocate(Path file, long bytes) throws IOException {
        try (var channel = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE)) {
            java.nio.ByteBuffer block = java.nio.ByteBuffer.allocate(64 * 1024);
            for (long written = 0; written < bytes; ) {
                block.clear().limit((int) Math.min(block.capacity(), bytes - written));
                written += channel.write(block);
            }
        }
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (process.waitFor() != 0) {
            throw new AssertionError(String.join(" ", command) + " failed (the test needs root to mount a tmpfs): " + output);
        }
    }
}
