package io.hearth.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Processes judging real processes (a {@code sleep}) alive or dead, and reading the pending signals of /proc/PID/status. */
class ProcessesTest {
    @Test
    void aRunningProcessIsAliveAndAKilledOneIsDeadBeforeItsParentReapsIt() throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        try {
            long pid = sleeper.pid();
            long start = Processes.startTicks(pid);
            assertThat(start).as("start ticks of a live process").isPositive();
            assertThat(Processes.isAlive(pid)).isTrue();
            assertThat(Processes.isAlive(pid, start)).isTrue();
            assertThat(Processes.isAlive(pid, start + 1)).as("the same pid with another start: a later process").isFalse();

            new ProcessBuilder("kill", "-KILL", Long.toString(pid)).start().waitFor();
            // Not reaped yet (nobody has called waitFor): gone, a zombie, or still being torn down with SIGKILL pending.
            assertThat(Processes.isAlive(pid, start)).as("a process sent SIGKILL").isFalse();
            assertThat(Processes.isAlive(pid)).isFalse();
        } finally {
            sleeper.destroyForcibly();
            sleeper.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void sigkillPendingIsReadFromEitherMaskAndNoOtherSignalCounts() {
        assertThat(Processes.killPendingIn(List.of("Name:\tjava", "SigPnd:\t0000000000000000", "ShdPnd:\t0000000000000100"))).isTrue();
        assertThat(Processes.killPendingIn(List.of("SigPnd:\t0000000000000100", "ShdPnd:\t0000000000000000"))).isTrue();
        assertThat(Processes.killPendingIn(List.of("SigPnd:\t0000000000004000", "ShdPnd:\t0000000000000001")))
                .as("SIGTERM and SIGHUP pending").isFalse();
        assertThat(Processes.killPendingIn(List.of("SigPnd:\tnonsense"))).isFalse();
        assertThat(Processes.killPendingIn(List.of())).isFalse();
    }
}
