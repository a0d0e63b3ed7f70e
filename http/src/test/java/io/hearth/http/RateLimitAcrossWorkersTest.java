package io.hearth.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hearth.testkit.ChildJvm;
import io.hearth.testkit.Ports;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12's rate limit over HTTP: 4 real worker processes on one port (a real supervisor, as
 * run-workers.sh starts it) and 16 client threads, each on its own keep-alive connection (so the
 * kernel spreads them over the workers), sending {@code POST /counters/rl/increment?ttl=1s&limit=100}
 * as fast as they are answered. A window starts with the answer whose value is 1 (the add that
 * created the counter again); the clients stop once a request sent after the third window was seen
 * to start is refused, so that three windows are full and, on any machine that is not stalled for
 * most of a second, no fourth starts.
 *
 * <p>The counter is one atomic add per request in every worker, so each value occurs once per
 * window: values 1 to 100 are allowed, each exactly once per window, and everything over 100 is
 * refused. Nothing here depends on timing, except that 16 clients send 100 requests within a second;
 * a run so stalled that a window does not fill, or a fourth one starts, is printed and judged by the
 * same rule on the windows it saw (see {@link #judge}).
 */
class RateLimitAcrossWorkersTest {
    private static final int WORKERS = 4;
    private static final int CLIENTS = 16;
    private static final int LIMIT = 100;
    private static final int WINDOWS = 3;
    private static final String PATH = "/counters/rl/increment?ttl=1s&limit=" + LIMIT;
    private static final String ROUTE = "/counters/{name}/increment";
    private static final Duration STARTUP = Duration.ofMinutes(4);
    /** Only a safety net for a test that would otherwise hang: the run takes about two seconds. */
    private static final Duration GIVE_UP = Duration.ofMinutes(3);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private ChildJvm supervisor;
    private final List<Thread> clients = new ArrayList<>();
    private final AtomicBoolean stop = new AtomicBoolean();

    /** One answer: its status, the counter value it carries, and how many windows had been seen when it was sent. */
    record Answer(int status, long value, long limit, String retryAfter, int windowsAtSend) {
    }

    @AfterEach
    void stopEverything() throws InterruptedException {
        stop.set(true);
        for (Thread client : clients) {
            client.join(TimeUnit.SECONDS.toMillis(30));
        }
        if (supervisor != null) {
            supervisor.close();
        }
    }

    @Test
    void aRateLimitOf100RequestsPerWindowOverHttpAllowsExactly100PerWindowAcrossFourWorkersAndSixteenClientsForThreeWindows()
            throws Exception {
        int port = Ports.freeLoopbackPort();
        supervisor = SupervisorProcess.start(Map.of(), "-n", Integer.toString(WORKERS), "-p", Integer.toString(port),
                "-s", dir.resolve("rate.store").toString());
        Set<Long> workers = WorkerProbes.readyPids(supervisor.awaitLine(SupervisorCommand.READY_LINE, STARTUP));
        assertThat(workers).hasSize(WORKERS);

        URI uri = URI.create("http://127.0.0.1:" + port + PATH);
        URI read = URI.create("http://127.0.0.1:" + port + "/counters/rl");
        AtomicInteger windowsSeen = new AtomicInteger();
        List<Answer> answers = new CopyOnWriteArrayList<>();
        List<String> failures = new CopyOnWriteArrayList<>();
        CountDownLatch connected = new CountDownLatch(CLIENTS);
        CountDownLatch go = new CountDownLatch(1);
        for (int i = 0; i < CLIENTS; i++) {
            Thread client = new Thread(() -> {
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(Duration.ofSeconds(10)).build();
                try {
                    // Open the keep-alive connection with a read (which creates no counter), so the first window
                    // is not spent connecting.
                    send(http, HttpRequest.newBuilder(read).timeout(Duration.ofSeconds(30)).GET().build());
                    connected.countDown();
                    go.await();
                    HttpRequest add = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                            .POST(HttpRequest.BodyPublishers.noBody()).build();
                    while (!stop.get()) {
                        int windowsAtSend = windowsSeen.get();
                        HttpResponse<String> response = send(http, add);
                        JsonNode body = JSON.readTree(response.body());
                        Answer answer = new Answer(response.statusCode(), body.path("value").asLong(-1), body.path("limit").asLong(-1),
                                response.headers().firstValue("Retry-After").orElse(null), windowsAtSend);
                        answers.add(answer);
                        if (answer.status() == 200 && answer.value() == 1) {
                            windowsSeen.incrementAndGet();
                        } else if (answer.status() == 429 && windowsAtSend >= WINDOWS) {
                            stop.set(true); // the third window is full: a request sent in it was refused
                        } else if (answer.status() != 200 && answer.status() != 429) {
                            failures.add(answer + " " + response.body());
                            stop.set(true);
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (IOException | RuntimeException e) {
                    failures.add(Thread.currentThread().getName() + ": " + e);
                    stop.set(true);
                    connected.countDown();
                }
            }, "rate-limit-client-" + i);
            clients.add(client);
            client.start();
        }
        assertThat(connected.await(STARTUP.toMillis(), TimeUnit.MILLISECONDS)).as("clients connected").isTrue();
        assertThat(failures).as("failures while connecting").isEmpty();
        long start = System.nanoTime();
        go.countDown();
        for (Thread client : clients) {
            client.join(GIVE_UP.toMillis());
            assertThat(client.isAlive()).as("%s stopped within %s; windows seen %d, answers %d", client.getName(), GIVE_UP,
                    windowsSeen.get(), answers.size()).isFalse();
        }
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;

        Map<Long, Map<Integer, Long>> perWorker = answeredPerWorker(port, workers);
        TreeMap<Long, Long> allowedByValue = answers.stream().filter(a -> a.status() == 200)
                .collect(Collectors.groupingBy(Answer::value, TreeMap::new, Collectors.counting()));
        TreeMap<Long, Long> refusedByValue = answers.stream().filter(a -> a.status() == 429)
                .collect(Collectors.groupingBy(Answer::value, TreeMap::new, Collectors.counting()));
        long windows = allowedByValue.getOrDefault(1L, 0L);
        long allowed = answers.stream().filter(a -> a.status() == 200).count();
        long refused = answers.stream().filter(a -> a.status() == 429).count();
        String seen = String.format("rate-limit: windows=%d answers=%d allowed=%d refused=%d in %d ms;"
                        + " windows reaching 100: %d, reaching 101: %d; highest refused value %s; answered per worker (status: count) %s",
                windows, answers.size(), allowed, refused, elapsedMillis, allowedByValue.getOrDefault((long) LIMIT, 0L),
                refusedByValue.getOrDefault((long) LIMIT + 1, 0L),
                refusedByValue.isEmpty() ? "none" : refusedByValue.lastKey(), perWorker);
        System.out.println(seen);

        assertThat(failures).as("requests that failed; %s", seen).isEmpty();
        assertThat(perWorker.values().stream().filter(statuses -> !statuses.isEmpty()).count())
                .as("workers that answered the rate-limited route; %s", seen).isGreaterThanOrEqualTo(2);
        for (Answer answer : answers) {
            if (answer.status() == 200) {
                assertThat(answer.value()).as("an allowed answer; %s", seen).isBetween(1L, (long) LIMIT);
            } else {
                assertThat(answer.status()).as("%s; %s", answer, seen).isEqualTo(429);
                assertThat(answer.value()).as("a refused answer's value; %s", seen).isGreaterThan(LIMIT);
                assertThat(answer.limit()).isEqualTo(LIMIT);
                // The window is 1 s: rounded up, at least 1; absent only if the counter expired between the add and the read of its expiry.
                assertThat(answer.retryAfter()).as("Retry-After of %s", answer).isIn("1", null);
            }
        }
        judge(windows, allowed, allowedByValue, refusedByValue, seen);
    }

    /**
     * Each value is answered once per window that reached it, so over all answers value v occurs as
     * many times as there are windows that counted v requests. With the three windows the test
     * means to see, all full: exactly three 1s, exactly 300 allowed, 1 to 100 three times each. In
     * a run stalled long enough that a window did not fill or a fourth began, the same rule holds on
     * the windows seen: no value more often than there are windows, and no window missing a value
     * below one it reached (so every window that refused a request allowed exactly 100).
     */
    private static void judge(long windows, long allowed, TreeMap<Long, Long> allowedByValue, TreeMap<Long, Long> refusedByValue,
                              String seen) {
        long full = refusedByValue.getOrDefault((long) LIMIT + 1, 0L);
        assertThat(full).as("windows that refused a request; %s", seen).isGreaterThanOrEqualTo(1);
        if (windows == WINDOWS && allowedByValue.getOrDefault((long) LIMIT, 0L) == WINDOWS) {
            assertThat(allowed).as("allowed requests over three windows; %s", seen).isEqualTo((long) WINDOWS * LIMIT);
            for (long value = 1; value <= LIMIT; value++) {
                assertThat(allowedByValue.get(value)).as("allowed answers with value %d; %s", value, seen).isEqualTo(WINDOWS);
            }
        } else {
            System.out.println("rate-limit: a stalled run (" + windows + " windows seen, "
                    + allowedByValue.getOrDefault((long) LIMIT, 0L) + " of them full); judged window by window");
            assertThat(windows).as("windows seen; %s", seen).isGreaterThanOrEqualTo(WINDOWS);
        }
        // In every run: each value at most once per window, and a window that reached v reached every value below it.
        TreeMap<Long, Long> all = new TreeMap<>(allowedByValue);
        refusedByValue.forEach((value, count) -> all.merge(value, count, Long::sum));
        long previous = windows;
        for (long value = 1; value <= all.lastKey(); value++) {
            long count = all.getOrDefault(value, 0L);
            assertThat(count).as("answers with value %d (windows: %d, answers with value %d: %d); %s", value, windows,
                    value - 1, previous, seen).isLessThanOrEqualTo(previous);
            previous = count;
        }
        assertThat(allowedByValue.getOrDefault((long) LIMIT, 0L)).as("windows that allowed 100, at least those that refused; %s", seen)
                .isGreaterThanOrEqualTo(full);
    }

    private static HttpResponse<String> send(HttpClient http, HttpRequest request) throws IOException, InterruptedException {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** Each worker's own count of answers on the increment route, by status, from its /metrics. */
    private static Map<Long, Map<Integer, Long>> answeredPerWorker(int port, Set<Long> workers) {
        Map<Long, Map<Integer, Long>> answered = new ConcurrentHashMap<>();
        for (int attempt = 0; attempt < 1000 && !answered.keySet().containsAll(workers); attempt++) {
            RawHttp.Response metrics = RawHttp.request(port, "GET", "/metrics");
            assertThat(metrics.status()).as(metrics.toString()).isEqualTo(200);
            PrometheusText text = PrometheusText.parse(metrics.body());
            List<PrometheusText.Sample> who = text.samples("hearth_worker_info");
            assertThat(who).hasSize(1);
            Map<Integer, Long> statuses = new TreeMap<>();
            for (PrometheusText.Sample sample : text.samples("hearth_http_requests_total")) {
                if (sample.labels().get("route").equals(ROUTE) && sample.labels().get("method").equals("POST")) {
                    statuses.put(Integer.parseInt(sample.labels().get("status")), (long) sample.value());
                }
            }
            answered.put(Long.parseLong(who.get(0).labels().get("pid")), statuses);
        }
        assertThat(answered.keySet()).as("workers that answered /metrics").containsExactlyInAnyOrderElementsOf(workers);
        return new TreeMap<>(answered);
    }
}
