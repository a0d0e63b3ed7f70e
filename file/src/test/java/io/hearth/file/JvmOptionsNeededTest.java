package io.hearth.file;

import static org.assertj.core.api.Assertions.assertThat;

import io.hearth.SharedStore;
import io.hearth.internal.JvmOptions;
import io.hearth.testkit.ChildJvm;
import io.hearth.testkit.CrossProcessContract;
import io.hearth.testkit.StoreChild;
import io.hearth.testkit.Tally;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Why each JVM option of {@link JvmOptions#required()} is there, on the Java version that runs the
 * tests. A child JVM given every option but one opens a store through {@link UncheckedFileBackendProvider},
 * which skips Hearth's own check, and shows what Chronicle does without that option: it cannot open
 * a store at all, or it prints a warning. Given every option, processes writing one store at once
 * print nothing but their own lines.
 */
class JvmOptionsNeededTest {
    private static final Duration TIMEOUT = CrossProcessContract.CHILD_TIMEOUT;

    /**
     * What Chronicle does in a JVM without option: fails to open any store, or opens it and prints
     * evidence; where opening an existing store shows it otherwise than creating one, evidenceOpening.
     */
    private record Without(String option, boolean storeOpens, String evidence, String evidenceOpening) {
        Without(String option, boolean storeOpens, String evidence) {
            this(option, storeOpens, evidence, evidence);
        }

        @Override
        public String toString() {
            return option;
        }
    }

    /** One row per option any Java version needs; the last two exist from Java 24 on only. */
    private static final List<Without> WITHOUT = List.of(
            new Without("--add-exports=java.base/sun.nio.ch=ALL-UNNAMED", false,
                    "cannot access class sun.nio.ch.FileChannelImpl (in module java.base) because module java.base does not export sun.nio.ch to unnamed module"),
            new Without("--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED", true,
                    "WARNING: Make sure you have set the command line option \"--illegal-access=permit --add-exports java.base/jdk.internal.ref=ALL-UNNAMED\" to enable ReflectionBasedByteBufferCleanerService"),
            new Without("--add-opens=java.base/java.lang=ALL-UNNAMED", false,
                    "module java.base does not \"opens java.lang\" to unnamed module"),
            new Without("--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", false,
                    "class net.openhft.chronicle.core.Jvm cannot access a member of class net.openhft.chronicle.map.ChronicleMapBuilder with modifiers \"private\"",
                    "failed to create instance of clazz=class net.openhft.chronicle.hash.serialization.impl.StopBitSizeMarshaller"),
            // Java warns once per module, for the first native library: JNA's (Chronicle's Affinity)
            // in every process, and jnr-ffi's is loaded only by a process that needs it (DeferredPosix).
            new Without("--enable-native-access=ALL-UNNAMED", true,
                    "WARNING: java.lang.System::load has been called by com.sun.jna.Native"),
            new Without("--sun-misc-unsafe-memory-access=allow", true,
                    "WARNING: sun.misc.Unsafe::"));

    @TempDir
    Path dir;

    @Test
    void everyOptionOfEveryJavaVersionHasItsReasonHereAndNoOtherIsListed() {
        List<String> reasoned = WITHOUT.stream().map(Without::option).toList();
        assertThat(JvmOptions.forJava(25).arguments()).containsExactlyInAnyOrderElementsOf(reasoned);
        assertThat(JvmOptions.forJava(24).arguments()).isEqualTo(JvmOptions.forJava(25).arguments());
        assertThat(JvmOptions.forJava(17).arguments()).containsExactlyInAnyOrderElementsOf(reasoned.subList(0, 4));
        assertThat(JvmOptions.forJava(23).arguments()).isEqualTo(JvmOptions.forJava(17).arguments());
        assertThat(JvmOptions.required().javaVersion()).isEqualTo(Runtime.version().feature());
    }

    static Stream<Without> optionsThisJavaNeeds() {
        List<String> required = JvmOptions.required().arguments();
        return WITHOUT.stream().filter(row -> required.contains(row.option()));
    }

    @ParameterizedTest(name = "without {0}")
    @MethodSource("optionsThisJavaNeeds")
    void withoutTheOptionChronicleCannotOpenAStoreOrWarns(Without row) {
        List<String> lacking = new ArrayList<>(JvmOptions.required().arguments());
        lacking.remove(row.option());

        // A process lacking it creates a store, writes and reads it back.
        List<String> created = run(lacking, "write", dir.resolve("created.store"));
        // A process lacking it reads a store this JVM (with every option) wrote.
        Path written = dir.resolve("written.store");
        try (SharedStore store = SharedStore.open(written)) {
            store.counter("persisted").addAndGet(42);
            store.map("persisted", Tally.class).put("answer", new Tally(42));
        }
        List<String> read = run(lacking, "read", written);

        assertThat(created).anyMatch(line -> line.contains(row.evidence()));
        assertThat(read).anyMatch(line -> line.contains(row.evidenceOpening()));
        if (row.storeOpens()) {
            assertThat(created).contains("WROTE");
            assertThat(read).contains("COUNTER 42", "ANSWER 42");
        } else {
            assertThat(created).noneMatch(line -> line.equals("WROTE"));
            assertThat(read).noneMatch(line -> line.startsWith("COUNTER"));
        }
    }

    /** Runs StoreChild's scenario on the store at path, opened without Hearth's check; returns stdout and stderr, and the exit status last. */
    private static List<String> run(List<String> jvmOptions, String scenario, Path path) {
        try (ChildJvm child = ChildJvm.builder(StoreChild.class).jvmOptions(jvmOptions).stderrInLines()
                .args(scenario, UncheckedFileBackendProvider.SCHEME + "://" + path.toAbsolutePath()).start()) {
            int status = child.awaitExit(TIMEOUT);
            List<String> lines = new ArrayList<>(child.awaitAllLines(TIMEOUT));
            lines.add("EXIT " + status);
            return lines;
        }
    }

    @Test
    void withEveryOptionTwoProcessesWritingOneStoreAtOncePrintNoWarningAndLoseNoUpdate() {
        int processes = 2;
        int threads = 2;
        int increments = 10_000;
        int updates = 1_000;
        String location = dir.resolve("together.store").toString();
        List<ChildJvm> children = new ArrayList<>();
        try (SharedStore store = SharedStore.open(Path.of(location))) {
            for (int i = 0; i < processes; i++) {
                // No logging binding, as in an application that brings none: nothing of SLF4J's either.
                children.add(ChildJvm.builder(StoreChild.class).classPathWithout("slf4j-nop").stderrInLines()
                        .args("hammer", location, String.valueOf(threads), String.valueOf(increments), String.valueOf(updates)).start());
            }
            CrossProcessContract.awaitValue(() -> store.counter("barrier.ready").get(), processes);
            store.counter("barrier.go").set(1);
            for (ChildJvm child : children) {
                assertThat(child.awaitExit(TIMEOUT)).isZero();
                List<String> lines = child.awaitAllLines(TIMEOUT);
                assertThat(lines).noneMatch(line -> line.contains("WARNING"));
                assertThat(lines).hasSize(2).allMatch(line -> line.startsWith("INCREMENT_SUM ") || line.startsWith("UPDATE_SUM "));
            }
            assertThat(store.counter("hits").get()).isEqualTo((long) processes * threads * increments);
            assertThat(store.map("tallies", Tally.class).get("shared").n()).isEqualTo((long) processes * threads * updates);
        } finally {
            children.forEach(ChildJvm::close);
        }
    }
}
