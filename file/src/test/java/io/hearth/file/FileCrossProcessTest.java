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
        assertThat(missingOptions(List.of())).containsExactlyInAnyOrderElementsOf(required);

        // One of each kind given (an export and, from Java 24 on, the native access): the others are named.
        List<String> given = required.stream().filter(option -> option.startsWith("--add-exports=java.base/sun.nio.ch=")
                || option.startsWith("--enable-native-access=")).toList();
        List<String> rest = required.stream().filter(option -> !given.contains(option)).toList();
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
