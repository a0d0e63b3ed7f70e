package io.hearth.file;

import static org.assertj.core.api.Assertions.assertThat;

import io.hearth.testkit.ChildJvm;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chronicle's native POSIX binding costs a JVM about 0.3 s of CPU to load. A process that opens an
 * existing store (a replacement worker) does not need it; a process that creates a store needs it
 * to sync the new maps' headers, and loads it then.
 */
class DeferredPosixTest {
    @TempDir
    Path dir;

    @Test
    void aProcessThatOpensAnExistingStoreReadsAndWritesWithoutLoadingTheBinding() {
        Path store = dir.resolve("existing.store");
        run(store);
        assertThat(run(store)).containsExactly("READ 200 2", "POSIX deferred");
    }

    @Test
    void aProcessThatCreatesAStoreLoadsTheBindingToSyncItsNewFiles() {
        assertThat(run(dir.resolve("new.store"))).containsExactly("READ 200 1", "POSIX loaded");
    }

    /** Runs FaultChild's posix-binding scenario: its READ and POSIX lines. */
    private static List<String> run(Path store) {
        try (ChildJvm child = ChildJvm.builder(FaultChild.class)
                .args("posix-binding", store.toString()).start()) {
            String read = child.awaitLine("READ", Duration.ofSeconds(60));
            String posix = child.awaitLine("POSIX", Duration.ofSeconds(60));
            assertThat(child.awaitExit(Duration.ofSeconds(60))).isZero();
            return List.of("READ " + read, "POSIX " + posix);
        }
    }
}
