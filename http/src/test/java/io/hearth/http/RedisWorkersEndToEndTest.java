package io.hearth.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.hearth.testkit.ChildJvm;
import io.hearth.testkit.Ports;
import io.hearth.testkit.RedisServer;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The Redis "done when": two groups of workers, each with its own supervisor and port as
 * two hosts would have, started the way run-workers.sh starts them, on one real redis-server.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedisWorkersEndToEndTest {
    private static final int INCREMENTS_PER_PORT = 1000;
    private static final Duration STARTUP = Duration.ofMinutes(4);

    private RedisServer redis;
    private ChildJvm groupA;
    private ChildJvm groupB;
    private int portA;
    private int portB;
    private Set<Long> pidsA;
    private Set<Long> pidsB;

    @BeforeAll
    void startRedisAndTwoGroupsOfWorkers() throws Exception {
        redis = RedisServer.start();
        String store = redis.freshStoreUri("timeout=2s");
        portA = Ports.freeLoopbackPort();
        groupA = SupervisorProcess.start(Map.of(), "-n", "2", "-k", "0", "-p", Integer.toString(portA), "-s", store);
        portB = Ports.freeLoopbackPort();
        groupB = SupervisorProcess.start(Map.of(), "-n", "2", "-k", "0", "-p", Integer.toString(portB), "-s", store);
        pidsA = WorkerProbes.readyPids(groupA.awaitLine(SupervisorCommand.READY_LINE, STARTUP));
        pidsB = WorkerProbes.readyPids(groupB.awaitLine(SupervisorCommand.READY_LINE, STARTUP));
    }

    @AfterAll
    void stopEverything() {
        try (RedisServer r = redis; ChildJvm a = groupA; ChildJvm b = groupB) {
            // closed in reverse order: the workers first, then Redis
        }
    }

    @Test
    void everyWorkerOfBothGroupsSeesTheSameTotalTheSameResetAndTheSameBroadcast() throws Exception {
        Set<Long> all = new HashSet<>(pidsA);
        all.addAll(pidsB);
        assertThat(all).hasSize(4);
        assertThat(WorkerProbes.workerPids(portA)).as("/workers on port A").containsExactlyInAnyOrderElementsOf(all);
        assertThat(WorkerProbes.workerPids(portB)).as("/workers on port B").containsExactlyInAnyOrderElementsOf(all);

        ExecutorService both = Executors.newFixedThreadPool(2);
        try {
            CompletableFuture<Set<Long>> onA = CompletableFuture.supplyAsync(() -> increment(portA), both);
            CompletableFuture<Set<Long>> onB = CompletableFuture.supplyAsync(() -> increment(portB), both);
            assertThat(pidsA).containsAll(onA.join());
            assertThat(pidsB).containsAll(onB.join());
        } finally {
            both.shutdownNow();
        }

        long total = 2L * INCREMENTS_PER_PORT;
        assertThat(WorkerProbes.reportFromEveryWorker(portA, pidsA).values()).as("group A's /report").containsOnly(total);
        assertThat(WorkerProbes.reportFromEveryWorker(portB, pidsB).values()).as("group B's /report").containsOnly(total);

        RawHttp.Response reset = RawHttp.request(portA, "POST", "/reset");
        assertThat(reset.status()).as(reset.toString()).isEqualTo(200);
        assertThat(WorkerProbes.reportFromEveryWorker(portB, pidsB).values()).as("group B's /report after a reset on port A")
                .containsOnly(0L);

        RawHttp.Response broadcast = RawHttp.request(portB, "POST", "/broadcast/reload",
                Map.of("Content-Type", "application/json"), "{\"reason\":\"two hosts\"}");
        assertThat(broadcast.status()).as(broadcast.toString()).isEqualTo(200);
        assertThat(WorkerProbes.pids(broadcast.json().get("acked"))).as("acked a broadcast sent on port B")
                .containsExactlyInAnyOrderElementsOf(all);
        assertThat(broadcast.json().get("missing")).isEmpty();
    }

    private static Set<Long> increment(int port) {
        try {
            return WorkerProbes.incrementConcurrently(port, INCREMENTS_PER_PORT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
