package io.hearth.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.hearth.SharedStore;
import io.hearth.testkit.ChildJvm;
import io.hearth.testkit.Ports;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the supervisor process stops, and when it refuses to start, with real processes. */
class GracefulStopTest {
    private static final Duration STARTUP = Duration.ofMinutes(4);
    private static final Map<String, String> BEARER = Map.of("Authorization", "Bearer t0ken");

    @TempDir
    Path dir;

    @Test
    void sigtermLetsTheRequestInFlightFinishThenStopsEveryWorkerAndExitsZero() throws Exception {
        int port = Ports.freeLoopbackPort();
        Path store = dir.resolve("graceful.store");
        try (ChildJvm supervisor = SupervisorProcess.start(Map.of("HEARTH_TOKEN", "t0ken", "HEARTH_PROTECT_READS", "1"), "-n", "1", "-k", "0", "-p",
                Integer.toString(port), "-s", store.toString())) {
            supervisor.awaitLine(SupervisorCommand.READY_LINE, STARTUP);
            List<ProcessHandle> workers = supervisor.descendants();
            assertThat(workers).hasSize(1);
            assertThat(RawHttp.request(port, "POST", "/increment").status()).as("HEARTH_TOKEN reached the worker").isEqualTo(401);
            assertThat(RawHttp.request(port, "GET", "/report").status()).as("HEARTH_PROTECT_READS reached the worker").isEqualTo(401);
            assertThat(RawHttp.request(port, "GET", "/report", BEARER, null).status()).isEqualTo(200);
            assertThat(RawHttp.request(port, "GET", "/health").status()).as("the probes stay open").isEqualTo(200);

            String body = "{\"finished\":true}";
            try (Socket inFlight = RawHttp.open(port)) {
                OutputStream out = inFlight.getOutputStream();
                out.write(("PUT /objects/jobs/last HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t0ken\r\n"
                        + "Content-Type: application/json\r\nContent-Length: "
                        + body.length() + "\r\n\r\n" + body.substring(0, 5)).getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                awaitInFlight(port, 2); // this scrape and the half-sent PUT

                supervisor.terminate();
                awaitRefused(port); // the worker has begun to stop: it no longer listens

                out.write(body.substring(5).getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                RawHttp.Response response = RawHttp.read(inFlight.getInputStream());
                assertThat(response.status()).as(response.toString()).isEqualTo(201);
            }

            assertThat(supervisor.awaitExit(Duration.ofMinutes(1))).isZero();
            for (ProcessHandle worker : workers) {
                worker.onExit().get();
                assertThat(worker.isAlive()).isFalse();
            }
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(store))).isEqualTo("rw-------");
        try (SharedStore reopened = SharedStore.open(store)) {
            assertThat(reopened.map("jobs", JsonNode.class).get("last").get("finished").asBoolean()).isTrue();
            assertThat(reopened.workers()).extracting(w -> w.pid()).containsExactly(ProcessHandle.current().pid());
        }
    }

    @Test
    void aWorkerThatCannotOpenTheStoreStopsTheSupervisorInsteadOfARestartLoop() throws Exception {
        Path notAStore = Files.writeString(dir.resolve("not-a-store"), "these bytes are no Hearth store");
        try (ChildJvm supervisor = SupervisorProcess.start(Map.of(), "-n", "2", "-p",
                Integer.toString(Ports.freeLoopbackPort()), "-s", notAStore.toString())) {
            assertThat(supervisor.awaitExit(STARTUP)).isEqualTo(Worker.BOOT_FAILURE);
        }
        assertThat(Files.readString(notAStore)).isEqualTo("these bytes are no Hearth store");
    }

    @Test
    void theSupervisorRefusesATakenPortABadRedisUriAndAnEmptyToken() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             ChildJvm onTakenPort = SupervisorProcess.start(Map.of(), "-n", "2", "-p",
                     Integer.toString(taken.getLocalPort()), "-s", dir.resolve("a.store").toString());
             ChildJvm redis = SupervisorProcess.start(Map.of(), "-s", "redis://127.0.0.1:6379/0?frobnicate=1");
             ChildJvm emptyToken = SupervisorProcess.start(Map.of("HEARTH_TOKEN", ""), "-n", "1", "-p", "0",
                     "-s", dir.resolve("b.store").toString())) {
            assertThat(onTakenPort.awaitExit(Duration.ofMinutes(1))).isEqualTo(2);
            assertThat(redis.awaitExit(Duration.ofMinutes(1))).isEqualTo(2);
            assertThat(emptyToken.awaitExit(Duration.ofMinutes(1))).isEqualTo(2);
            assertThat(onTakenPort.descendants()).isEmpty();
        }
        assertThat(dir.resolve("a.store")).doesNotExist();
        assertThat(dir.resolve("b.store")).doesNotExist();
    }

    private static void awaitInFlight(int port, int requests) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (inFlight(port) != requests) {
            assertThat(System.nanoTime()).as("the half-sent request reached the worker").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private static double inFlight(int port) {
        return PrometheusText.parse(RawHttp.request(port, "GET", "/metrics", BEARER, null).body()).value("hearth_http_requests_in_flight");
    }

    private static void awaitRefused(int port) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (true) {
            try {
                RawHttp.request(port, "GET", "/health");
            } catch (UncheckedIOException e) {
                assertThat(e).hasCauseInstanceOf(ConnectException.class);
                return;
            }
            assertThat(System.nanoTime()).as("the worker stopped listening").isLessThan(deadline);
            Thread.sleep(50);
        }
    }
}
