package io.hearth.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The launcher itself, with real child JVMs. */
class ChildJvmTest {
    private static final Duration TIMEOUT = Duration.ofMinutes(1);

    @Test
    void awaitLineReturnsTheRestOfTheNextMatchingLineAndFailsQuotingEveryLineOnceTheChildHasEnded() {
        try (ChildJvm child = ChildJvm.builder(LauncherChild.class).environment(Map.of("HEARTH_TEST_VAR", "set")).start()) {
            assertThat(child.awaitLine("VAR", TIMEOUT)).isEqualTo("set");
            child.send("one");
            child.send("two");
            assertThat(child.awaitLine("ECHO t", TIMEOUT)).isEqualTo("wo");
            assertThat(child.linesSeen()).containsExactly("VAR set", "ECHO one", "ECHO two");
            child.send("exit 3");
            assertThat(child.awaitExit(TIMEOUT)).isEqualTo(3);
            assertThat(child.isAlive()).isFalse();

            assertThatThrownBy(() -> child.awaitLine("ERR", TIMEOUT)).isInstanceOf(AssertionError.class)
                    .hasMessageContaining("LauncherChild " + child.pid() + " ended without printing a line starting 'ERR'")
                    .hasMessageContaining("[VAR set, ECHO one, ECHO two]");
        }
    }

    @Test
    void aChildRunsOnTheJavaThatRunsTheTestsWhateverJavaIsFirstOnThePath() {
        try (ChildJvm child = ChildJvm.builder(LauncherChild.class).args("java").environment(Map.of("PATH", "/usr/bin:/bin")).start()) {
            assertThat(child.awaitLine("JAVA", TIMEOUT)).isEqualTo(System.getProperty("java.home") + " " + Runtime.version());
            assertThat(child.awaitExit(TIMEOUT)).isZero();
        }
    }

    @Test
    void stderrIsAmongTheLinesWhenAskedAndAnEnvironmentVariableCanBeRemoved() {
        try (ChildJvm child = ChildJvm.builder(LauncherChild.class).environment(Map.of("HEARTH_TEST_VAR", "set"))
                .unsetEnvironment("HEARTH_TEST_VAR").stderrInLines().start()) {
            assertThat(child.awaitLine("ERR", TIMEOUT)).isEqualTo("on stderr");
            assertThat(child.linesSeen()).contains("VAR null");
        }
    }

    @Test
    void closeKillsWhatTheChildStartedOnlyWhenAsked() {
        ProcessHandle spared;
        try (ChildJvm child = ChildJvm.start(LauncherChild.class, "spawn")) {
            spared = ProcessHandle.of(Long.parseLong(child.awaitLine("GRANDCHILD", TIMEOUT))).orElseThrow();
        }
        try {
            assertThat(spared.isAlive()).as("sleep started by a child closed without killDescendantsOnClose").isTrue();
        } finally {
            spared.destroyForcibly();
        }

        ProcessHandle killed;
        try (ChildJvm child = ChildJvm.builder(LauncherChild.class).args("spawn").killDescendantsOnClose().start()) {
            killed = ProcessHandle.of(Long.parseLong(child.awaitLine("GRANDCHILD", TIMEOUT))).orElseThrow();
            assertThat(child.descendants()).contains(killed);
            child.close();
            assertThat(child.isAlive()).isFalse();
            assertThat(killed.isAlive()).as("sleep started by a child closed with killDescendantsOnClose").isFalse();
        }
    }
}
