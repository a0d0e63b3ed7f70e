package io.hearth.file;

import io.hearth.testkit.ChildJvm;
import io.hearth.testkit.CrossProcessContract;
import io.hearth.testkit.StoreChild;

import static org.assertj.core.api.Assertions.assertThat;

import io.hearth.internal.JvmOptions;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cross-process contract on the memory-mapped file, plus the JVM options only Chronicle needs. */
class FileCrossProcessTest extends CrossProcessContract {
    @TempDir
    Path dir;

    /** In a directory that does not exist yet: the first opener creates it. */
    @Override
    protected String store() {
        return dir.resolve("fresh").resolve("store.store").toString();
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
        Path path = dir.resolve("never-created.store");
        try (ChildJvm child = ChildJvm.builder(StoreChild.class).jvmOptions(given).args("try-open", path.toString()).start()) {
            List<String> missing = List.of(child.awaitLine("MISSING", CHILD_TIMEOUT).split(" "));
            assertThat(child.awaitExit(CHILD_TIMEOUT)).isZero();
            assertThat(path).doesNotExist();
            return missing;
        }
    }
}
