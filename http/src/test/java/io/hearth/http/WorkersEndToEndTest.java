package io.hearth.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
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
    private static final ObjectMapper JSON = new ObjectMapper();

    private SupervisorProcess supervisor;
    private int port;

    @BeforeAll
    void startWorkers(@TempDir Path dir) throws Exception {
        port = SupervisorProcess.freePort();
        supervisor = SupervisorProcess.start(Map.of(), "-n", Integer.toString(WORKERS), "-p", Integer.toString(port),
                "-s", dir.resolve("e2e.store").toString());
        supervisor.awaitLine(Supervisor.READY_LINE, STARTUP);
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
        assertThat(pids(broadcast.json().get("acked"))).containsExactlyInAnyOrderElementsOf(workers);
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

    private Set<Long> incrementConcurrently() throws Exception {
        ExecutorService executor = Executors.newFixedThreadPool(4);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(executor)
                .connectTimeout(Duration.ofSeconds(10)).build();
        try {
            Semaphore inFlight = new Semaphore(64); // the pool's connections, spread over the workers by the kernel
            HttpRequest increment = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/increment"))
                    .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.noBody()).build();
            List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
            for (int i = 0; i < INCREMENTS; i++) {
                inFlight.acquire();
                responses.add(client.sendAsync(increment, HttpResponse.BodyHandlers.ofString())
                        .whenComplete((response, failure) -> inFlight.release()));
            }
            Set<Long> answered = new HashSet<>();
            for (CompletableFuture<HttpResponse<String>> future : responses) {
                HttpResponse<String> response = future.join();
                assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                answered.add(JSON.readTree(response.body()).get("current_process_id").asLong());
            }
            return answered;
        } finally {
            executor.shutdownNow();
        }
    }

    /** GET /report on fresh connections until every worker has answered; each worker's last answer. */
    private Map<Long, Long> reportFromEveryWorker(Set<Long> workers) {
        Map<Long, Long> counts = new HashMap<>();
        for (int attempt = 0; attempt < 1000 && !counts.keySet().containsAll(workers); attempt++) {
            JsonNode report = RawHttp.request(port, "GET", "/report").json();
            counts.put(report.get("current_process_id").asLong(), report.get("count").asLong());
        }
        assertThat(counts.keySet()).as("pids that answered /report on fresh connections").containsExactlyInAnyOrderElementsOf(workers);
        return counts;
    }

    private Set<Long> workerPids() {
        RawHttp.Response response = RawHttp.request(port, "GET", "/workers");
        for (int retry = 0; retry < 10 && response.status() == -1; retry++) {
            // reset: the connection was queued on a worker just killed (SO_REUSEPORT drops its backlog)
            response = RawHttp.request(port, "GET", "/workers");
        }
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        return pids(response.json().get("workers").findValues("pid"));
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

    private static Set<Long> pids(Iterable<JsonNode> nodes) {
        Set<Long> pids = new HashSet<>();
        nodes.forEach(node -> pids.add(node.asLong()));
        return pids;
    }
}
