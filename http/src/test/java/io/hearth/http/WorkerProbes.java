package io.hearth.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What the multi-process tests ask a group of workers on one port. */
final class WorkerProbes {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern READY_PIDS = Pattern.compile("\\(pids \\[([0-9, ]+)]\\)");

    private WorkerProbes() {
    }

    /** The pids in the supervisor's ready line, {@code hearth: 2 workers serving ... (pids [1, 2]); ...}. */
    static Set<Long> readyPids(String readyLine) {
        Matcher matcher = READY_PIDS.matcher(readyLine);
        assertThat(matcher.find()).as("pids in '%s'", readyLine).isTrue();
        Set<Long> pids = new HashSet<>();
        for (String pid : matcher.group(1).split(",\\s*")) {
            pids.add(Long.parseLong(pid));
        }
        return pids;
    }

    /** POST /increment count times over 32 pooled connections; asserts each is 200, returns the pids that answered. */
    static Set<Long> incrementConcurrently(int port, int count) throws InterruptedException {
        ExecutorService executor = Executors.newFixedThreadPool(2);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(executor)
                .connectTimeout(Duration.ofSeconds(10)).build();
        try {
            Semaphore inFlight = new Semaphore(32);
            HttpRequest increment = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/increment"))
                    .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.noBody()).build();
            List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                inFlight.acquire();
                responses.add(client.sendAsync(increment, HttpResponse.BodyHandlers.ofString())
                        .whenComplete((response, failure) -> inFlight.release()));
            }
            Set<Long> answered = new HashSet<>();
            for (CompletableFuture<HttpResponse<String>> future : responses) {
                HttpResponse<String> response = future.join();
                assertThat(response.statusCode()).as("POST /increment on port %d: %s", port, response.body()).isEqualTo(200);
                answered.add(json(response.body()).get("current_process_id").asLong());
            }
            return answered;
        } finally {
            executor.shutdownNow();
        }
    }

    /** GET /report on fresh connections until every one of workers has answered; each one's last count. */
    static Map<Long, Long> reportFromEveryWorker(int port, Set<Long> workers) {
        Map<Long, Long> counts = new HashMap<>();
        for (int attempt = 0; attempt < 1000 && !counts.keySet().containsAll(workers); attempt++) {
            RawHttp.Response response = RawHttp.request(port, "GET", "/report");
            assertThat(response.status()).as("GET /report on port %d: %s", port, response).isEqualTo(200);
            JsonNode report = response.json();
            counts.put(report.get("current_process_id").asLong(), report.get("count").asLong());
        }
        assertThat(counts.keySet()).as("pids that answered /report on port %d", port).containsExactlyInAnyOrderElementsOf(workers);
        return counts;
    }

    /** GET /workers: the pids of every process attached to the store. */
    static Set<Long> workerPids(int port) {
        RawHttp.Response response = RawHttp.request(port, "GET", "/workers");
        for (int retry = 0; retry < 10 && response.status() == -1; retry++) {
            // reset: the connection was queued on a worker just killed (SO_REUSEPORT drops its backlog)
            response = RawHttp.request(port, "GET", "/workers");
        }
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        return pids(response.json().get("workers").findValues("pid"));
    }

    static Set<Long> pids(Iterable<JsonNode> nodes) {
        Set<Long> pids = new HashSet<>();
        nodes.forEach(node -> pids.add(node.asLong()));
        return pids;
    }

    private static JsonNode json(String body) {
        try {
            return JSON.readTree(body);
        } catch (java.io.IOException e) {
            throw new AssertionError("response body is not JSON: " + body, e);
        }
    }
}
