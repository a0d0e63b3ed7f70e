package io.hearth.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.hearth.testkit.ChildJvm;
import io.hearth.testkit.Ports;
import io.hearth.testkit.RedisServer;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Workers on a real redis-server that is killed and started again: 503 with the JSON error body
 * while it is down (RawHttp's read timeout is the hang guard), the same workers serving again once
 * it is back. Also the supervisor's refusals of a Redis it cannot use.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisOutageTest {
    private static final Duration STARTUP = Duration.ofMinutes(4);
    private static final Duration RECOVERY = Duration.ofMinutes(1);
    private static final String SECRET = "s3cret-Pw";

    /** Requests of every kind of store call; none may answer anything but 503 while Redis is down. */
    private static final List<String[]> STORE_REQUESTS = List.of(
            new String[] {"POST", "/increment"},
            new String[] {"GET", "/report"},
            new String[] {"POST", "/reset"},
            new String[] {"GET", "/counters/visits"},
            new String[] {"GET", "/objects/users/ada"},
            new String[] {"PUT", "/objects/users/ada"},
            new String[] {"GET", "/objects/users"},
            new String[] {"GET", "/workers"},
            new String[] {"POST", "/broadcast/reload"},
            new String[] {"GET", "/health"},
            new String[] {"GET", "/stats"});

    private RedisServer redis;
    private ChildJvm supervisor;
    private int port;
    private Set<Long> workers;

    @BeforeAll
    void startRedisAndWorkers() throws Exception {
        redis = RedisServer.start(List.of("--requirepass", SECRET));
        port = Ports.freeLoopbackPort();
        supervisor = SupervisorProcess.start(Map.of(), "-n", "2", "-k", "0", "-p", Integer.toString(port),
                "-s", "redis://:" + SECRET + "@127.0.0.1:" + redis.port() + "/0?prefix=outage:&timeout=500ms");
        workers = WorkerProbes.readyPids(supervisor.awaitLine(SupervisorCommand.READY_LINE, STARTUP));
    }

    @AfterAll
    void stopEverything() {
        try (RedisServer r = redis; ChildJvm s = supervisor) {
            // closed in reverse order: the workers first, then Redis
        }
    }

    @Test
    @Order(1)
    void whileRedisIsDownEveryStoreRequestIs503WithTheErrorBodyAndOnceItIsBackTheSameWorkersServeAgain() throws Exception {
        WorkerProbes.incrementConcurrently(port, 50);
        assertThat(WorkerProbes.reportFromEveryWorker(port, workers).values()).containsOnly(50L);

        redis.pause(); // hung: connections open, no answers; each call ends at the URI's timeout
        try {
            for (String[] request : List.of(new String[] {"GET", "/report"}, new String[] {"POST", "/increment"},
                    new String[] {"GET", "/health"})) {
                assertUnavailable(request);
            }
        } finally {
            redis.resume();
        }

        redis.stop();
        for (int round = 0; round < 3; round++) { // fresh connections, so both workers get some
            for (String[] request : STORE_REQUESTS) {
                assertUnavailable(request);
            }
        }

        redis.startAgain(); // empty: this redis-server keeps no data
        long deadline = System.nanoTime() + RECOVERY.toNanos();
        RawHttp.Response first = RawHttp.request(port, "POST", "/increment");
        while (first.status() != 200) {
            assertThat(first.status()).as(first.toString()).isEqualTo(503);
            assertThat(System.nanoTime()).as("a worker served again within %s of Redis' return", RECOVERY).isLessThan(deadline);
            Thread.sleep(100);
            first = RawHttp.request(port, "POST", "/increment");
        }
        WorkerProbes.incrementConcurrently(port, 20);
        long written = first.json().get("count").asLong() + 20;
        assertThat(WorkerProbes.reportFromEveryWorker(port, workers).values())
                .as("each of the original workers' /report after Redis came back").containsOnly(written);
        assertThat(supervisor.descendants().stream().map(ProcessHandle::pid)).as("no worker was restarted")
                .containsExactlyInAnyOrderElementsOf(workers);

        // Redis lost the registry with its data; each worker registers again by itself.
        Set<Long> registered = WorkerProbes.workerPids(port);
        while (!registered.containsAll(workers)) {
            assertThat(System.nanoTime()).as("workers registered again within %s", RECOVERY).isLessThan(deadline);
            Thread.sleep(200);
            registered = WorkerProbes.workerPids(port);
        }
        assertThat(RawHttp.request(port, "GET", "/health").status()).isEqualTo(200);
    }

    /** One request while Redis is down or hung: 503 with the error body (RawHttp's read timeout guards against a hang). */
    private void assertUnavailable(String[] request) {
        boolean body = request[0].equals("PUT") || request[1].startsWith("/broadcast");
        RawHttp.Response response = RawHttp.request(port, request[0], request[1],
                Map.of("Content-Type", "application/json"), body ? "{\"name\":\"Ada\"}" : null);
        String what = request[0] + " " + request[1] + " with Redis down or hung";
        assertThat(response.status()).as("%s: %s", what, response).isEqualTo(503);
        assertThat(response.header("Retry-After")).as(what).isEqualTo("1");
        assertThat(response.header("Content-Type")).as(what).isEqualTo("application/json");
        assertThat(response.json().get("error").asText()).as(what).isEqualTo("store_unavailable");
        assertThat(response.json().get("detail").asText()).as(what)
                .contains("127.0.0.1:" + redis.port()).doesNotContain(SECRET);
    }

    @Test
    @Order(2)
    void aWorkerRestartedWhileRedisIsDownIsRetriedUntilRedisIsBackInsteadOfStoppingTheSupervisor() throws Exception {
        redis.stop();
        long victim = workers.iterator().next();
        ProcessHandle.of(victim).orElseThrow().destroyForcibly();

        // The replacement cannot reach Redis and exits; the supervisor must start another, not give up.
        long deadline = System.nanoTime() + RECOVERY.toNanos();
        ProcessHandle replacement = null;
        while (replacement == null) {
            assertThat(System.nanoTime()).as("a replacement for worker %d started within %s", victim, RECOVERY).isLessThan(deadline);
            replacement = supervisor.descendants().stream().filter(child -> !workers.contains(child.pid())).findFirst().orElse(null);
            Thread.sleep(20);
        }
        replacement.onExit().get(RECOVERY.toSeconds(), TimeUnit.SECONDS);

        redis.startAgain();
        Set<Long> serving = new HashSet<>();
        while (workers.containsAll(serving)) {
            assertThat(System.nanoTime()).as("a new worker served within %s of Redis' return", RECOVERY).isLessThan(deadline);
            RawHttp.Response health = RawHttp.request(port, "GET", "/health");
            if (health.status() == 200) {
                serving.add(health.json().get("pid").asLong());
            }
            Thread.sleep(50);
        }
        assertThat(supervisor.descendants()).as("the supervisor still runs its workers").hasSize(2);
    }

    @Test
    @Order(3)
    void theSupervisorRefusesARedisItCannotReachOrAUriItCannotUseNamingHostAndPortWithoutThePassword() throws Exception {
        int nobody = Ports.freeLoopbackPort();
        try (ChildJvm unreachable = SupervisorProcess.startReadingErrors("-n", "1", "-p",
                Integer.toString(Ports.freeLoopbackPort()), "-s", "redis://:" + SECRET + "@127.0.0.1:" + nobody + "/0");
             ChildJvm badOption = SupervisorProcess.startReadingErrors("-n", "1", "-s",
                     "redis://:" + SECRET + "@127.0.0.1:" + nobody + "/0?frobnicate=1");
             ChildJvm wrongPassword = SupervisorProcess.startReadingErrors("-n", "1", "-p",
                     Integer.toString(Ports.freeLoopbackPort()), "-s", "redis://:wrong@127.0.0.1:" + redis.port() + "/0")) {
            assertThat(unreachable.awaitLine("error:", STARTUP)).contains("127.0.0.1:" + nobody).doesNotContain(SECRET);
            assertThat(unreachable.awaitExit(STARTUP)).isEqualTo(2);
            assertThat(badOption.awaitLine("error:", STARTUP)).contains("frobnicate").doesNotContain(SECRET);
            assertThat(badOption.awaitExit(STARTUP)).isEqualTo(2);
            assertThat(wrongPassword.awaitLine("error:", STARTUP)).contains("127.0.0.1:" + redis.port()).doesNotContain("wrong@");
            assertThat(wrongPassword.awaitExit(STARTUP)).isEqualTo(2);
        }
    }
}
