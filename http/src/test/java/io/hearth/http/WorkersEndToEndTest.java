package io.hearth.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.hearth.testkit.ChildJvm;
import io.hearth.testkit.Ports;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The "done when": three real worker processes on one port, started by a real supervisor
 * process as run-workers.sh starts it, sharing one store.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WorkersEndToEndTest {
    private static final int WORKERS = 3;
    private static final int INCREMENTS = 3000;
    private static final Duration STARTUP = Duration.ofMinutes(4);

    private ChildJvm supervisor;
    private int port;

    @BeforeAll
    void startWorkers(@TempDir Path dir) throws Exception {
        port = Ports.freeLoopbackPort();
        supervisor = SupervisorProcess.start(Map.of(), "-n", Integer.toString(WORKERS), "-k", "0", "-p", Integer.toString(port),
                "-s", dir.resolve("e2e.store").toString());
        supervisor.awaitLine(SupervisorCommand.READY_LINE, STARTUP);
    }

    @AfterAll
    void stopWorkers() {
        if (supervisor != null) {
            supervisor.close();
        }
    }

    @Test
    @Order(1)
    void everyWorkerSeesTheSameCounterTheSameResetAndTheSameBroadcast() throws Exception {
        Set<Long> workers = workerPids();
        assertThat(workers).hasSize(WORKERS).doesNotContain(ProcessHandle.current().pid());

        Set<Long> answeredIncrements = incrementConcurrently();
        assertThat(answeredIncrements).as("pids that answered POST /increment").hasSizeGreaterThanOrEqualTo(2);
        assertThat(workers).containsAll(answeredIncrements);

        Map<Long, Long> reports = reportFromEveryWorker(workers);
        assertThat(reports.values()).as("each worker's /report after %d increments", INCREMENTS).containsOnly((long) INCREMENTS);

        RawHttp.Response reset = RawHttp.request(port, "POST", "/reset");
        assertThat(reset.status()).isEqualTo(200);
        assertThat(reportFromEveryWorker(workers).values()).as("each worker's /report after a reset through pid "
                + reset.json().get("current_process_id")).containsOnly(0L);

        RawHttp.Response broadcast = RawHttp.request(port, "POST", "/broadcast/reload",
                Map.of("Content-Type", "application/json"), "{\"reason\":\"end-to-end\"}");
        assertThat(broadcast.status()).isEqualTo(200);
        assertThat(WorkerProbes.pids(broadcast.json().get("acked"))).containsExactlyInAnyOrderElementsOf(workers);
        assertThat(broadcast.json().get("missing")).isEmpty();
    }

    @Test
    @Order(2)
    void aWorkerThatDiesIsReplacedAndTheNewOneServesThePort() throws Exception {
        Set<Long> before = workerPids();
        long victim = before.iterator().next();
        ProcessHandle.of(victim).orElseThrow().destroyForcibly();

        Set<Long> after = awaitWorkers(pids -> pids.size() == WORKERS && !pids.contains(victim));
        Set<Long> replacement = new HashSet<>(after);
        replacement.removeAll(before);
        assertThat(replacement).hasSize(1);
        long newPid = replacement.iterator().next();
        boolean answered = false;
        for (int attempt = 0; attempt < 1000 && !answered; attempt++) {
            RawHttp.Response health = RawHttp.request(port, "GET", "/health");
            answered = health.status() == 200 && health.json().get("pid").asLong() == newPid;
        }
        assertThat(answered).as("the replacement worker %d answered on the shared port", newPid).isTrue();
    }

    private Set<Long> incrementConcurrently() throws InterruptedException {
        return WorkerProbes.incrementConcurrently(port, INCREMENTS);
    }

    private Map<Long, Long> reportFromEveryWorker(Set<Long> workers) {
        return WorkerProbes.reportFromEveryWorker(port, workers);
    }

    private Set<Long> workerPids() {
        return WorkerProbes.workerPids(port);
    }

    private Set<Long> awaitWorkers(Predicate<Set<Long>> condition) throws InterruptedException {
        long deadline = System.nanoTime() + STARTUP.toNanos();
        Set<Long> pids = workerPids();
        while (!condition.test(pids) && System.nanoTime() < deadline) {
            Thread.sleep(200);
            pids = workerPids();
        }
        return pids;
    }

}
