package io.hearth.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hearth.SharedMap;
import io.hearth.SharedStore;
import io.hearth.Subscription;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The routes of one server on a real store, in this process; cross-process behaviour is in {@link WorkersEndToEndTest}. */
class HearthServerTest {
    private static final Map<String, String> JSON = Map.of("Content-Type", "application/json");
    private static final ObjectMapper JSON_MAPPER = new ObjectMapper();
    private final long pid = ProcessHandle.current().pid();

    @TempDir
    Path dir;
    private SharedStore store;
    private HearthServer server;
    private int port;

    @BeforeEach
    void start() {
        store = SharedStore.open(dir.resolve("test.store"));
        server = HearthServer.builder(store).port(0).start();
        port = server.port();
    }

    @AfterEach
    void stop() {
        server.close();
        store.close();
    }

    @Test
    void incrementReportAndResetAnswerTheCountAndThePidThatAnswered() {
        RawHttp.request(port, "POST", "/increment");
        RawHttp.Response second = RawHttp.request(port, "POST", "/increment");
        assertThat(second.status()).isEqualTo(200);
        assertThat(second.json().get("count").asLong()).isEqualTo(2);
        assertThat(second.json().get("current_process_id").asLong()).isEqualTo(pid);

        RawHttp.Response report = RawHttp.request(port, "GET", "/report");
        assertThat(report.json().get("count").asLong()).isEqualTo(2);
        assertThat(store.counter("count").get()).isEqualTo(2);

        RawHttp.request(port, "POST", "/increment?key=other");
        assertThat(RawHttp.request(port, "POST", "/reset").json().get("count").asLong()).isZero();
        assertThat(RawHttp.request(port, "GET", "/report").json().get("count").asLong()).isZero();
        assertThat(RawHttp.request(port, "GET", "/report?key=other").json().get("count").asLong()).isEqualTo(1);
    }

    @Test
    void aGetOnAMutatingRouteIsMethodNotAllowed() {
        RawHttp.Response response = RawHttp.request(port, "GET", "/increment");
        assertThat(response.status()).isEqualTo(405);
        assertThat(response.header("Allow")).isEqualTo("POST");
        assertThat(response.json().get("error").asText()).isEqualTo("method_not_allowed");
        assertThat(RawHttp.request(port, "GET", "/reset").header("Allow")).isEqualTo("POST");
        assertThat(RawHttp.request(port, "DELETE", "/report").header("Allow")).isEqualTo("GET, HEAD");
        assertThat(store.counter("count").get()).isZero();
    }

    @Test
    void anUnknownRouteIsNotFoundAsJson() {
        RawHttp.Response response = RawHttp.request(port, "GET", "/nothing/here");
        assertThat(response.status()).isEqualTo(404);
        assertThat(response.header("Content-Type")).isEqualTo("application/json");
        assertThat(response.json().get("error").asText()).isEqualTo("not_found");
        assertThat(response.json().get("detail").asText()).contains("/nothing/here");
    }

    @Test
    void livenessAnswersWithoutTheStoreWhileReadinessNeedsIt() {
        assertThat(RawHttp.request(port, "GET", "/livez").json().get("status").asText()).isEqualTo("live");
        assertThat(RawHttp.request(port, "GET", "/health").status()).isEqualTo(200);
        store.close(); // what a store outage looks like to a worker that keeps running
        assertThat(RawHttp.request(port, "GET", "/livez").status()).isEqualTo(200);
        assertThat(RawHttp.request(port, "GET", "/health").status()).isEqualTo(503);
    }

    @Test
    void readingResettingAndDeletingCountersNobodyWroteUsesUpNoCounterSlots() {
        int before = store.stats().counters();
        for (int i = 0; i < 50; i++) {
            assertThat(RawHttp.request(port, "GET", "/counters/made-up-" + i).json().get("value").asLong()).isZero();
            assertThat(RawHttp.request(port, "GET", "/report?key=made-up-" + i).json().get("count").asLong()).isZero();
            assertThat(RawHttp.request(port, "DELETE", "/counters/made-up-" + i).status()).isEqualTo(204);
            assertThat(RawHttp.request(port, "POST", "/reset?key=made-up-" + i).status()).isEqualTo(200);
        }
        assertThat(store.stats().counters()).isEqualTo(before);
        assertThat(store.findCounter("made-up-0")).isEmpty();
    }

    @Test
    void theWarmUpBeforeBindingWritesNothingClaimsNoCounterAndStaysOutOfTheMetrics() {
        // The server of start() answered its warm-up requests on this fresh store before binding its port.
        assertThat(store.stats().counters()).isZero();
        assertThat(store.stats().entries()).isZero();
        assertThat(PrometheusText.parse(RawHttp.request(port, "GET", "/metrics").body()).samples("hearth_http_requests_total")).isEmpty();
    }

    @Test
    void countersAreReadSetIncrementedByAnyAmountAndDeleted() {
        assertThat(RawHttp.request(port, "GET", "/counters/hits").json().get("value").asLong()).isZero();
        RawHttp.Response set = RawHttp.request(port, "PUT", "/counters/hits", JSON, "40");
        assertThat(set.status()).isEqualTo(200);
        RawHttp.Response added = RawHttp.request(port, "POST", "/counters/hits/increment?by=2");
        assertThat(added.json().get("value").asLong()).isEqualTo(42);
        assertThat(added.json().get("name").asText()).isEqualTo("hits");
        assertThat(RawHttp.request(port, "POST", "/counters/hits/increment").json().get("value").asLong()).isEqualTo(43);
        assertThat(RawHttp.request(port, "POST", "/counters/hits/increment?by=-50").json().get("value").asLong()).isEqualTo(-7);
        assertThat(RawHttp.request(port, "DELETE", "/counters/hits").status()).isEqualTo(204);
        assertThat(store.counter("hits").get()).isZero();
    }

    @Test
    void anObjectCarriesItsVersionAsETagAndIfMatchMakesWritesConditional() {
        RawHttp.Response created = RawHttp.request(port, "PUT", "/objects/users/ada", JSON, "{\"name\":\"Ada\",\"visits\":1}");
        assertThat(created.status()).isEqualTo(201);
        String etag = created.header("ETag");
        assertThat(etag).isEqualTo("\"" + store.map("users", JsonNode.class).getVersioned("ada").version() + "\"");

        RawHttp.Response read = RawHttp.request(port, "GET", "/objects/users/ada");
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.header("ETag")).isEqualTo(etag);
        assertThat(read.json().get("visits").asInt()).isEqualTo(1);
        assertThat(RawHttp.request(port, "GET", "/objects/users/ada", Map.of("If-None-Match", etag), null).status()).isEqualTo(304);

        RawHttp.Response updated = RawHttp.request(port, "PUT", "/objects/users/ada",
                Map.of("If-Match", etag, "Content-Type", "application/json"), "{\"name\":\"Ada\",\"visits\":2}");
        assertThat(updated.status()).isEqualTo(200);
        assertThat(updated.header("ETag")).isNotEqualTo(etag);

        RawHttp.Response stale = RawHttp.request(port, "PUT", "/objects/users/ada",
                Map.of("If-Match", etag, "Content-Type", "application/json"), "{\"name\":\"lost update\"}");
        assertThat(stale.status()).isEqualTo(412);
        assertThat(stale.json().get("error").asText()).isEqualTo("precondition_failed");
        assertThat(store.map("users", JsonNode.class).get("ada").get("visits").asInt()).isEqualTo(2);
    }

    @Test
    void aDeleteWithAStaleIfMatchChangesNothingAndAFreshOneRemoves() {
        String first = RawHttp.request(port, "PUT", "/objects/m/k", JSON, "1").header("ETag");
        String second = RawHttp.request(port, "PUT", "/objects/m/k", JSON, "2").header("ETag");
        assertThat(RawHttp.request(port, "DELETE", "/objects/m/k", Map.of("If-Match", first), null).status()).isEqualTo(412);
        assertThat(store.map("m", JsonNode.class).get("k").asInt()).isEqualTo(2);
        assertThat(RawHttp.request(port, "DELETE", "/objects/m/k", Map.of("If-Match", second), null).status()).isEqualTo(204);
        assertThat(RawHttp.request(port, "GET", "/objects/m/k").status()).isEqualTo(404);
        assertThat(RawHttp.request(port, "DELETE", "/objects/m/k").status()).isEqualTo(404);
    }

    @Test
    void ifNoneMatchStarCreatesOnlyWhatIsAbsent() {
        Map<String, String> createOnly = Map.of("If-None-Match", "*", "Content-Type", "application/json");
        assertThat(RawHttp.request(port, "PUT", "/objects/locks/job", createOnly, "{\"owner\":1}").status()).isEqualTo(201);
        assertThat(RawHttp.request(port, "PUT", "/objects/locks/job", createOnly, "{\"owner\":2}").status()).isEqualTo(412);
        assertThat(store.map("locks", JsonNode.class).get("job").get("owner").asInt()).isEqualTo(1);
    }

    @Test
    void aMergePatchChangesOnlyTheFieldsItNames() {
        RawHttp.request(port, "PUT", "/objects/cfg/app", JSON, "{\"a\":1,\"b\":{\"c\":2,\"d\":3},\"e\":4}");
        RawHttp.Response patched = RawHttp.request(port, "PATCH", "/objects/cfg/app",
                Map.of("Content-Type", "application/merge-patch+json"), "{\"b\":{\"d\":null,\"x\":5},\"e\":null}");
        assertThat(patched.status()).isEqualTo(200);
        assertThat(patched.json().get("value").toString()).isEqualTo("{\"a\":1,\"b\":{\"c\":2,\"x\":5}}");
        assertThat(store.map("cfg", JsonNode.class).get("app").toString()).isEqualTo("{\"a\":1,\"b\":{\"c\":2,\"x\":5}}");

        RawHttp.Response wrongType = RawHttp.request(port, "PATCH", "/objects/cfg/app", JSON, "{\"a\":2}");
        assertThat(wrongType.status()).isEqualTo(415);
        assertThat(wrongType.header("Accept-Patch")).isEqualTo("application/merge-patch+json");
        assertThat(store.map("cfg", JsonNode.class).get("app").get("a").asInt()).isEqualTo(1);
    }

    @Test
    void aGetAnswersThePutBodyByteForByteAndTheNewValueOnceAnotherStoreHandleWroteIt() {
        String body = "{ \"name\" : \"Ada\",\n  \"visits\": 1e0 }";
        RawHttp.Response put = RawHttp.request(port, "PUT", "/objects/users/ada", JSON, body);
        assertThat(put.status()).isEqualTo(201);
        for (int read = 0; read < 2; read++) { // the second from the worker's read cache
            RawHttp.Response got = RawHttp.request(port, "GET", "/objects/users/ada");
            assertThat(got.body()).isEqualTo(body);
            assertThat(got.header("ETag")).isEqualTo(put.header("ETag"));
            assertThat(got.header("Content-Type")).isEqualTo("application/json");
        }
        RawHttp.Response unchanged = RawHttp.request(port, "GET", "/objects/users/ada", Map.of("If-None-Match", put.header("ETag")), null);
        assertThat(unchanged.status()).isEqualTo(304);
        assertThat(unchanged.header("ETag")).isEqualTo(put.header("ETag"));
        long written = store.map("users", JsonNode.class).put("ada", JSON_MAPPER.createObjectNode().put("name", "Bo"));
        RawHttp.Response after = RawHttp.request(port, "GET", "/objects/users/ada");
        assertThat(after.body()).isEqualTo("{\"name\":\"Bo\"}");
        assertThat(after.header("ETag")).isEqualTo("\"" + written + "\"");

        RawHttp.Response utf16 = RawHttp.request(port, "PUT", "/objects/users/ada", JSON, "\uFEFF{\"name\":\"x\"}");
        assertThat(utf16.status()).isEqualTo(400);
        assertThat(utf16.json().get("error").asText()).isEqualTo("invalid_json");
        assertThat(RawHttp.request(port, "GET", "/objects/users/ada").body()).isEqualTo("{\"name\":\"Bo\"}");
    }

    @Test
    void numbersKeepTheirValueThroughPutMergePatchReadAndBroadcast() {
        // A double would turn 1e400 into Infinity (then the string "Infinity"), 1e-400 into 0.0 and cut pi short.
        String put = "{\"big\":1e400,\"tiny\":1e-400,\"pi\":3.14159265358979323846264338327950288,\"one\":1.0,"
                + "\"tenth\":0.1,\"hundred\":1e2,\"minusZero\":-0.0,\"huge\":123456789012345678901234567890}";
        String stored = "{\"big\":1E+400,\"tiny\":1E-400,\"pi\":3.14159265358979323846264338327950288,\"one\":1.0,"
                + "\"tenth\":0.1,\"hundred\":100.0,\"minusZero\":-0.0,\"huge\":123456789012345678901234567890}";
        assertThat(RawHttp.request(port, "PUT", "/objects/n/k", JSON, put).status()).isEqualTo(201);
        assertThat(RawHttp.request(port, "GET", "/objects/n/k").body()).isEqualTo(put); // as sent: the stored bytes are the body

        RawHttp.Response patched = RawHttp.request(port, "PATCH", "/objects/n/k",
                Map.of("Content-Type", "application/merge-patch+json"), "{\"more\":-2.5e-500,\"one\":null}");
        String merged = stored.replace("\"one\":1.0,", "").replace("}", ",\"more\":-2.5E-500}");
        assertThat(patched.status()).isEqualTo(200);
        assertThat(patched.body()).endsWith(",\"value\":" + merged + "}"); // as text: a plain ObjectMapper would read Infinity
        assertThat(RawHttp.request(port, "GET", "/objects/n/k").body()).isEqualTo(merged);

        List<String> received = new CopyOnWriteArrayList<>();
        try (Subscription ignored = store.subscribe("numbers", message -> received.add(message.payload()))) {
            assertThat(RawHttp.request(port, "POST", "/broadcast/numbers", JSON, "{\"x\":1e400,\"y\":0.1}").status()).isEqualTo(200);
            assertThat(received).containsExactly("{\"x\":1E+400,\"y\":0.1}");
        }
    }

    @Test
    void aValueAtTheDepthLimitIsStoredPatchedAndReadBack() {
        String deepest = "[".repeat(500) + "]".repeat(500);
        assertThat(RawHttp.request(port, "PUT", "/objects/deep/k", JSON, deepest).status()).isEqualTo(201);
        RawHttp.Response patched = RawHttp.request(port, "PATCH", "/objects/deep/k",
                Map.of("Content-Type", "application/merge-patch+json"), "{\"v\":" + "[".repeat(499) + "]".repeat(499) + "}");
        assertThat(patched.status()).isEqualTo(200);
        assertThat(RawHttp.request(port, "GET", "/objects/deep/k").body()).isEqualTo("{\"v\":" + "[".repeat(499) + "]".repeat(499) + "}");
    }

    @Test
    void listingKeysHonoursPrefixAndLimit() {
        for (String key : List.of("user:1", "user:2", "user:3", "group:1")) {
            RawHttp.request(port, "PUT", "/objects/things/" + key, JSON, "{}");
        }
        JsonNode users = RawHttp.request(port, "GET", "/objects/things?prefix=user:&limit=2").json();
        assertThat(users.get("keys").toString()).isEqualTo("[\"user:1\",\"user:2\"]");
        assertThat(users.get("truncated").asBoolean()).isTrue();
        JsonNode all = RawHttp.request(port, "GET", "/objects/things").json();
        assertThat(all.get("keys")).hasSize(4);
        assertThat(all.get("truncated").asBoolean()).isFalse();
    }

    @Test
    void workersListsTheProcessesAttachedToTheStore() {
        JsonNode workers = RawHttp.request(port, "GET", "/workers").json().get("workers");
        assertThat(workers).hasSize(1);
        assertThat(workers.get(0).get("pid").asLong()).isEqualTo(pid);
        assertThat(workers.get(0).get("since").asText()).isNotEmpty();
        assertThat(workers.get(0).get("heartbeat").asText()).isNotEmpty();
    }

    @Test
    void workersSaysWhoLeadsWhat() throws Exception {
        assertThat(RawHttp.request(port, "GET", "/workers").json().get("leaders").size()).isZero();
        java.util.concurrent.CountDownLatch gained = new java.util.concurrent.CountDownLatch(1);
        try (io.hearth.Leadership ignored = store.leadership("nightly", gained::countDown)) {
            assertThat(gained.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(RawHttp.request(port, "GET", "/workers").json().get("leaders").get("nightly").asLong()).isEqualTo(pid);
        }
        assertThat(RawHttp.request(port, "GET", "/workers").json().get("leaders").size()).isZero();
    }

    @Test
    void aBroadcastReachesSubscribersAndIsAcknowledged() throws Exception {
        List<String> received = new CopyOnWriteArrayList<>();
        try (Subscription ignored = store.subscribe("reload", message -> received.add(message.payload()))) {
            RawHttp.Response response = RawHttp.request(port, "POST", "/broadcast/reload", JSON, "{\"reason\": \"test\"}");
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.json().get("topic").asText()).isEqualTo("reload");
            assertThat(response.json().get("acked").toString()).isEqualTo("[" + pid + "]");
            assertThat(response.json().get("missing")).isEmpty();
            assertThat(received).containsExactly("{\"reason\":\"test\"}");
        }
    }

    @Test
    void healthStatsAndMetricsDescribeTheWorkerAndTheStore() {
        RawHttp.request(port, "PUT", "/objects/m/k", JSON, "{}"); // its read of the absent entry: a miss
        RawHttp.request(port, "GET", "/objects/m/k"); // a miss, then cached: the worker's JsonBytes
        RawHttp.request(port, "GET", "/objects/m/k"); // a hit
        SharedMap<String> names = store.map("m", String.class); // a type the read cache takes, read in this process
        names.put("name", "Ada");
        names.get("name");
        names.get("name");
        RawHttp.request(port, "GET", "/nope");
        assertThat(RawHttp.request(port, "GET", "/health").json().get("status").asText()).isEqualTo("ok");
        JsonNode stats = RawHttp.request(port, "GET", "/stats").json();
        assertThat(stats.get("entries").asLong()).isEqualTo(2);
        assertThat(stats.get("fill_ratio").asDouble()).isEqualTo(2.0 / stats.get("capacity").asLong());
        assertThat(stats.get("read_cache").get("hits").asLong()).isEqualTo(2);
        assertThat(stats.get("read_cache").get("misses").asLong()).isEqualTo(3);
        assertThat(stats.get("read_cache").get("entries").asLong()).isEqualTo(2);
        assertThat(stats.get("read_cache").get("max_bytes").asLong()).isEqualTo(32L << 20);

        RawHttp.Response metrics = RawHttp.request(port, "GET", "/metrics");
        assertThat(metrics.header("Content-Type")).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
        PrometheusText text = PrometheusText.parse(metrics.body()); // refuses any line that breaks the text format
        assertThat(text.value("hearth_http_requests_total", "route", "/objects/{map}/{key}", "method", "PUT", "status", "201")).isEqualTo(1);
        assertThat(text.value("hearth_http_requests_total", "route", "unmatched", "method", "GET", "status", "404")).isEqualTo(1);
        assertThat(text.value("hearth_http_request_duration_seconds_bucket", "route", "/health", "le", "+Inf")).isEqualTo(1);
        assertThat(text.value("hearth_store_entries")).isEqualTo(2);
        assertThat(text.family("hearth_read_cache_hits_total").type()).isEqualTo(PrometheusText.Type.COUNTER);
        assertThat(text.value("hearth_read_cache_hits_total")).isEqualTo(2);
        assertThat(text.value("hearth_read_cache_misses_total")).isEqualTo(3);
        assertThat(text.value("hearth_read_cache_entries")).isEqualTo(2);
        assertThat(text.value("hearth_read_cache_max_bytes")).isEqualTo(32L << 20);
        assertThat(text.value("hearth_store_fill_ratio")).isEqualTo(2.0 / stats.get("capacity").asLong());
        assertThat(text.value("hearth_worker_info", "pid", Long.toString(pid))).isEqualTo(1);
    }

    @Test
    void withATokenChangesNeedTheBearerTokenAndReadsDoNot() {
        try (HearthServer guarded = HearthServer.builder(store).port(0).token("s3cret").start()) {
            int guardedPort = guarded.port();
            RawHttp.Response none = RawHttp.request(guardedPort, "POST", "/increment");
            assertThat(none.status()).isEqualTo(401);
            assertThat(none.header("WWW-Authenticate")).startsWith("Bearer");
            assertThat(RawHttp.request(guardedPort, "POST", "/increment", Map.of("Authorization", "Bearer wrong"), null).status())
                    .isEqualTo(401);
            assertThat(RawHttp.request(guardedPort, "PUT", "/objects/m/k", JSON, "{}").status()).isEqualTo(401);
            assertThat(store.counter("count").get()).isZero();
            assertThat(store.map("m", JsonNode.class).get("k")).isNull();

            assertThat(RawHttp.request(guardedPort, "POST", "/increment", Map.of("Authorization", "Bearer s3cret"), null).status())
                    .isEqualTo(200);
            assertThat(RawHttp.request(guardedPort, "GET", "/report").json().get("count").asLong()).isEqualTo(1);
        }
    }

    @Test
    void theBearerSchemeIsMatchedInAnyCase() {
        try (HearthServer guarded = HearthServer.builder(store).port(0).token("s3cret").start()) {
            for (String credentials : List.of("Bearer s3cret", "bearer s3cret", "BEARER s3cret", "bEaReR s3cret")) {
                assertThat(RawHttp.request(guarded.port(), "POST", "/increment", Map.of("Authorization", credentials), null).status())
                        .as(credentials).isEqualTo(200);
            }
            for (String credentials : List.of("bearer S3CRET", "bearer s3cret2", "Basic s3cret", "bearers3cret", "s3cret", "bearer")) {
                assertThat(RawHttp.request(guarded.port(), "POST", "/increment", Map.of("Authorization", credentials), null).status())
                        .as(credentials).isEqualTo(401);
            }
            assertThat(store.counter("count").get()).isEqualTo(4);
        }
    }

    @Test
    void withReadsProtectedOnlyTheProbesAnswerWithoutTheToken() {
        store.counter("count").set(5);
        RawHttp.request(port, "PUT", "/objects/m/k", JSON, "{\"secret\":1}");
        try (HearthServer guarded = HearthServer.builder(store).port(0).token("s3cret").protectReads().start()) {
            int guardedPort = guarded.port();
            Map<String, String> bearer = Map.of("Authorization", "Bearer s3cret");
            for (String path : List.of("/report", "/counters/count", "/objects/m/k", "/objects/m", "/workers", "/stats", "/metrics")) {
                for (String method : List.of("GET", "HEAD")) {
                    RawHttp.Response refused = RawHttp.request(guardedPort, method, path);
                    assertThat(refused.status()).as(method + " " + path).isEqualTo(401);
                    assertThat(refused.header("WWW-Authenticate")).as(method + " " + path).startsWith("Bearer");
                    assertThat(RawHttp.request(guardedPort, method, path, bearer, null).status()).as(method + " " + path + " with the token")
                            .isEqualTo(200);
                }
            }
            assertThat(RawHttp.request(guardedPort, "GET", "/objects/m/k").body()).doesNotContain("secret");
            assertThat(RawHttp.request(guardedPort, "GET", "/livez").status()).isEqualTo(200);
            assertThat(RawHttp.request(guardedPort, "GET", "/health").status()).isEqualTo(200);
            assertThat(RawHttp.request(guardedPort, "POST", "/increment").status()).isEqualTo(401);
            assertThat(RawHttp.request(guardedPort, "GET", "/objects/m/k", bearer, null).json().get("secret").asInt()).isEqualTo(1);
        }
        assertThat(store.counter("count").get()).isEqualTo(5);
    }

    @Test
    void protectingReadsWithoutATokenIsRefused() {
        HearthServer.Builder readsProtectedWithNoToken = HearthServer.builder(store).port(0).protectReads();
        assertThatThrownBy(readsProtectedWithNoToken::start).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("token");
    }

    @Test
    void closeFinishesTheRequestInFlightAndClosesEveryOpenConnectionAfterItsNextAnswer()
            throws Exception {
        try (Socket keptAlive = RawHttp.open(port); Socket idle = RawHttp.open(port); Socket inFlight = RawHttp.open(port)) {
            assertThat(onConnection(keptAlive, "GET /health").status()).isEqualTo(200);
            assertThat(onConnection(idle, "GET /health").status()).isEqualTo(200);
            String body = "{\"done\":true}";
            OutputStream half = inFlight.getOutputStream();
            half.write(("PUT /objects/jobs/last HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.length() + "\r\n\r\n"
                    + body.substring(0, 4)).getBytes(StandardCharsets.ISO_8859_1));
            half.flush();
            while (PrometheusText.parse(onConnection(keptAlive, "GET /metrics").body()).value("hearth_http_requests_in_flight") != 2) {
                Thread.sleep(20); // until the half-sent PUT is in the handler
            }

            CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);
            // close() stops listening, then answers on open connections as usual but closes each after its answer.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            RawHttp.Response last = onConnection(keptAlive, "GET /health");
            while (!"close".equalsIgnoreCase(last.header("Connection")) && System.nanoTime() - deadline < 0) {
                Thread.sleep(20);
                last = onConnection(keptAlive, "GET /health");
            }
            assertThat(last.status()).as(last.toString()).isEqualTo(200);
            assertThat(last.header("Connection")).as(last.toString()).isEqualToIgnoringCase("close");
            assertThat(keptAlive.getInputStream().read()).as("the kept-alive connection, closed after that answer").isEqualTo(-1);
            assertThat(accepts(port)).as("a new connection while closing").isFalse();

            // Another open connection is answered too, and closed after it.
            RawHttp.Response another = onConnection(idle, "GET /health");
            assertThat(another.status()).as(another.toString()).isEqualTo(200);
            assertThat(another.header("Connection")).as(another.toString()).isEqualToIgnoringCase("close");
            assertThat(closing).isNotDone();

            half.write(body.substring(4).getBytes(StandardCharsets.ISO_8859_1));
            half.flush();
            assertThat(RawHttp.read(inFlight.getInputStream()).status()).isEqualTo(201);
            closing.get(1, TimeUnit.MINUTES);
        }
        assertThat(store.map("jobs", JsonNode.class).get("last").get("done").asBoolean()).isTrue();
    }

    @Test
    void aConnectionThatSendsNothingWhileTheServerDrainsIsAnsweredWith503AsJsonOnceTheDrainIsOver() throws Exception {
        try (Socket idle = RawHttp.open(port); Socket inFlight = RawHttp.open(port)) {
            assertThat(onConnection(idle, "GET /health").status()).isEqualTo(200);
            inFlight.getOutputStream().write("PUT /objects/jobs/last HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\n{}"
                    .getBytes(StandardCharsets.ISO_8859_1));
            inFlight.getOutputStream().flush();
            CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);
            Thread.sleep(HearthServer.DRAIN_LIMIT.toMillis() + 1_000); // the drain waits this long for the idle connection
            RawHttp.Response refused = onConnection(idle, "GET /health");
            assertThat(refused.status()).as(refused.toString()).isEqualTo(503);
            assertThat(refused.json().get("error").asText()).isEqualTo("unavailable");
            inFlight.getOutputStream().write("  ".getBytes(StandardCharsets.ISO_8859_1));
            inFlight.getOutputStream().flush();
            assertThat(RawHttp.read(inFlight.getInputStream()).status()).isEqualTo(201);
            closing.get(1, TimeUnit.MINUTES);
        }
    }

    private static RawHttp.Response onConnection(Socket socket, String requestLine) throws Exception {
        socket.getOutputStream().write((requestLine + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
        return RawHttp.read(socket.getInputStream());
    }

    private static boolean accepts(int port) {
        try (Socket probe = new Socket(java.net.InetAddress.getLoopbackAddress(), port)) {
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    @Test
    void closeIsSafeTwiceAndFreesThePort() throws Exception {
        server.close();
        server.close();
        try (ServerSocket rebind = new ServerSocket(port, 50, java.net.InetAddress.getLoopbackAddress())) {
            assertThat(rebind.getLocalPort()).isEqualTo(port);
        }
        assertThat(store.counter("still-open").incrementAndGet()).isEqualTo(1);
    }

    @Test
    void headAnswersAGetRouteWithoutItsBody() {
        RawHttp.Response head = RawHttp.request(port, "HEAD", "/health");
        assertThat(head.status()).isEqualTo(200);
        assertThat(head.header("Content-Type")).isEqualTo("application/json");
    }

    @Test
    void itBindsTheLoopbackAddressUnlessToldOtherwise() {
        assertThat(server.address().getAddress().getHostAddress()).isEqualTo("127.0.0.1");
    }
}
