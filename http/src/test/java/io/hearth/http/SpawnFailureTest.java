package io.hearth.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.hearth.testkit.Ports;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker can fail before it is even a java process: SIGKILL to the helper that the JVM spawns
 * to exec it fails {@code ProcessBuilder.start()} as a missing java would. The supervisor (in this
 * process, its workers real processes) retries that, and gives up only when it keeps failing.
 */
class SpawnFailureTest {
    private static final Duration STARTUP = Duration.ofMinutes(4);

    @TempDir
    Path dir;

    @Test
    void aWorkerWhoseSpawningFailsTwiceIsSpawnedAgainAndServes() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        Supervisor.Spawner killedTwice = builder -> {
            if (attempts.incrementAndGet() < RestartPolicy.SPAWN_ATTEMPTS) {
                throw new IOException("error=0, Failed to exec spawn helper: pid: 1, signal: 9");
            }
            return builder.start();
        };
        try (Supervisor supervisor = supervisor(killedTwice)) {
            assertThat(supervisor.awaitReady(STARTUP)).as("a worker serves after %d failed spawns", attempts.get() - 1).isTrue();
            assertThat(supervisor.workerPids()).hasSize(1);
        }
    }

    @Test
    void aWorkerThatCannotBeSpawnedAtAllStopsTheSupervisorWithStatus3() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        try (Supervisor supervisor = supervisor(builder -> {
            attempts.incrementAndGet();
            throw new IOException("error=2, No such file or directory");
        })) {
            assertThat(supervisor.awaitTermination()).isEqualTo(Worker.BOOT_FAILURE);
            assertThat(attempts.get()).isEqualTo(RestartPolicy.SPAWN_ATTEMPTS);
        }
    }

    private Supervisor supervisor(Supervisor.Spawner spawner) {
        return Supervisor.builder(dir.resolve("spawn.store")).workers(1).port(Ports.freeLoopbackPort())
                .workerJvmOptions(List.of(SupervisorProcess.WORKER_JAVA_OPTS.split(" "))).spawner(spawner).start();
    }
}
