package io.hearth.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.hearth.testkit.ChildJvm;
import io.hearth.testkit.Ports;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The entries file deleted under two serving workers, then one worker killed: its replacement
 * cannot open the store (it is refused, not given a new empty entries file), and the supervisor
 * keeps the healthy worker serving the old data instead of stopping everything.
 */
class MissingStoreFileTest {
    private static final Duration STARTUP = Duration.ofMinutes(4);

    @TempDir
    Path dir;

    @Test
    void aReplacementThatCannotOpenTheStoreLeavesTheHealthyWorkerServingTheOldData() throws Exception {
        int port = Ports.freeLoopbackPort();
        Path store = dir.resolve("workers.store");
        try (ChildJvm supervisor = SupervisorProcess.startReadingErrors("-n", "2", "-p", Integer.toString(port),
                "-s", store.toString())) {
            supervisor.awaitLine(SupervisorCommand.READY_LINE, STARTUP);
            for (int i = 0; i < 5; i++) {
                assertThat(RawHttp.request(port, "POST", "/increment").status()).isEqualTo(200);
            }
            Set<Long> workers = WorkerProbes.workerPids(port);
            assertThat(workers).hasSize(2);
            Files.delete(Path.of(store + ".entries"));
            long victim = workers.iterator().next();
            ProcessHandle handle = ProcessHandle.of(victim).orElseThrow();
            handle.destroyForcibly();
            handle.onExit().join();

            String refusal = supervisor.awaitLineContaining("keep serving", STARTUP);
            assertThat(refusal).as("why the slot is not served").contains("could not start");
            assertThat(supervisor.linesSeen()).as("what the supervisor said")
                    .noneMatch(line -> line.contains("stopping, as retrying would not help"));
            assertThat(Path.of(store + ".entries")).as("no new, empty entries file").doesNotExist();
            for (int i = 0; i < 20; i++) {
                RawHttp.Response report = RawHttp.request(port, "GET", "/report");
                assertThat(report.status()).as(report.toString()).isEqualTo(200);
                assertThat(report.json().get("count").asLong()).isEqualTo(5);
            }
            assertThat(supervisor.isAlive()).isTrue();
        }
    }
}
