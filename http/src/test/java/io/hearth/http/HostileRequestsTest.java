package io.hearth.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.hearth.SharedStore;
import io.hearth.StoreStats;
import io.hearth.Versioned;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Malformed and hostile requests against a running server: each gets a 4xx (or, for bytes that are
 * not HTTP, a closed connection), never a 5xx; none hangs it; none changes the store.
 */
class HostileRequestsTest {
    private static final Map<String, String> JSON = Map.of("Content-Type", "application/json");
    private static final int BODY_LIMIT = 1 << 20;

    @TempDir
    Path dir;
    private SharedStore store;
    private HearthServer server;
    private int port;

    @BeforeEach
    void start() {
        store = SharedStore.open(dir.resolve("hostile.store"));
        server = HearthServer.builder(store).port(0).start();
        port = server.port();
        store.counter("sentinel").set(7);
        store.map("m", JsonNode.class).put("k", JsonNodeFactory.instance.objectNode().put("v", 1));
    }

    @AfterEach
    void stop() {
        server.close();
        store.close();
    }

    private record Case(String why, int expected, RawHttp.Response response) {
    }

    @Test
    void malformedAndHostileRequestsAreRefusedWithoutAServerErrorOrAChange() {
        StoreStats before = store.stats();
        Versioned<JsonNode> entry = store.map("m", JsonNode.class).getVersioned("k");
        String deep = "[".repeat(5000) + "]".repeat(5000);
        String bigValue = "\"" + "x".repeat(70_000) + "\"";
        String bigPayload = "\"" + "x".repeat(20_000) + "\"";
        List<Case> cases = new ArrayList<>();

        cases.add(new Case("space in a name", 400, get("/counters/a%20b")));
        cases.add(new Case("dot-dot as a name", 400, get("/counters/..")));
        cases.add(new Case("name over 64 characters", 400, get("/counters/" + "n".repeat(65))));
        cases.add(new Case("NUL in a name", 400, get("/counters/a%00b")));
        cases.add(new Case("non-ASCII name", 400, get("/counters/%C3%A9t%C3%A9")));
        cases.add(new Case("a key that is not UTF-8", 400, get("/objects/m/caf%E9")));
        cases.add(new Case("broken percent-encoding in a key", 400, get("/objects/m/a%2")));
        cases.add(new Case("dot-dot as an encoded key", 400, get("/objects/m/%2E%2E")));
        cases.add(new Case("broken percent-encoding", 400, get("/counters/%zz")));
        cases.add(new Case("key over 256 characters", 400, get("/objects/m/" + "k".repeat(257))));
        cases.add(new Case("empty seed key", 400, post("/increment?key=", null)));
        cases.add(new Case("seed key given twice", 400, post("/increment?key=a&key=b", null)));
        cases.add(new Case("invalid JSON", 400, put("/objects/m/k", "{\"a\":")));
        cases.add(new Case("JSON null", 400, put("/objects/m/k", "null")));
        cases.add(new Case("empty body", 400, put("/objects/m/k", "")));
        cases.add(new Case("two JSON documents", 400, put("/objects/m/k", "{\"a\":1}{\"b\":2}")));
        cases.add(new Case("duplicate field", 400, put("/objects/m/k", "{\"a\":1,\"a\":2}")));
        cases.add(new Case("5000-deep nesting", 400, put("/objects/m/k", deep)));
        cases.add(new Case("number with an exponent no decimal holds", 400, put("/objects/m/k", "{\"v\":1e99999999999}")));
        cases.add(new Case("merge patch with such a number", 400, RawHttp.request(port, "PATCH", "/objects/m/k",
                Map.of("Content-Type", "application/merge-patch+json"), "{\"v\":-1e-99999999999}")));
        cases.add(new Case("value over the store's 64 KiB", 413, put("/objects/m/k", bigValue)));
        cases.add(new Case("body over 1 MiB", 413, put("/objects/m/k", "\"" + "x".repeat(BODY_LIMIT + 10) + "\"")));
        cases.add(new Case("chunked body over 1 MiB", 413, RawHttp.raw(port, chunked("/objects/m/k", BODY_LIMIT + 100_000))));
        cases.add(new Case("Content-Length of 10 GiB", 413, RawHttp.raw(port, ("PUT /objects/m/k HTTP/1.1\r\nHost: x\r\n"
                + "Content-Length: 10737418240\r\n\r\n{}").getBytes(StandardCharsets.ISO_8859_1))));
        cases.add(new Case("counter set to a string", 400, put("/counters/fresh", "\"abc\"")));
        cases.add(new Case("counter set to a fraction", 400, put("/counters/fresh", "1.5")));
        cases.add(new Case("counter set past a long", 400, put("/counters/fresh", "99999999999999999999")));
        cases.add(new Case("increment by a word", 400, post("/counters/fresh/increment?by=abc", null)));
        cases.add(new Case("increment by past a long", 400, post("/counters/fresh/increment?by=9223372036854775808", null)));
        cases.add(new Case("negative limit", 400, get("/objects/m?limit=-1")));
        cases.add(new Case("limit too large", 400, get("/objects/m?limit=100000")));
        cases.add(new Case("prefix with NUL", 400, get("/objects/m?prefix=%00")));
        cases.add(new Case("unquoted If-Match", 400, RawHttp.request(port, "PUT", "/objects/m/k",
                Map.of("If-Match", "garbage", "Content-Type", "application/json"), "{}")));
        cases.add(new Case("patch that is not JSON", 400, RawHttp.request(port, "PATCH", "/objects/m/k",
                Map.of("Content-Type", "application/merge-patch+json"), "{oops")));
        cases.add(new Case("topic with a space", 400, post("/broadcast/bad%20topic", "{}")));
        cases.add(new Case("broadcast that is not JSON", 400, post("/broadcast/t", "not json")));
        cases.add(new Case("broadcast over 16 KiB", 413, post("/broadcast/t", bigPayload)));
        cases.add(new Case("broadcast waiting too long", 400, post("/broadcast/t?timeout_ms=99999999", "{}")));
        cases.add(new Case("unknown method", 405, RawHttp.request(port, "FOO", "/counters/sentinel")));
        cases.add(new Case("TRACE", 405, RawHttp.request(port, "TRACE", "/health")));
        cases.add(new Case("unknown route", 404, get("/admin/shutdown")));
        cases.add(new Case("negative Content-Length", 400, RawHttp.raw(port, ("PUT /objects/m/k HTTP/1.1\r\nHost: x\r\n"
                + "Content-Length: -5\r\n\r\n{}").getBytes(StandardCharsets.ISO_8859_1))));
        cases.add(new Case("request line of garbage", 400, RawHttp.raw(port, "GARBAGE\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1))));
        cases.add(new Case("header over 64 KiB", 400, RawHttp.raw(port, ("GET /health HTTP/1.1\r\nHost: x\r\nX-Big: "
                + "b".repeat(100_000) + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1))));
        cases.add(new Case("Content-Length and chunked at once", 400, RawHttp.raw(port, ("PUT /objects/m/k HTTP/1.1\r\nHost: x\r\n"
                + "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1))));

        SoftAssertions softly = new SoftAssertions();
        for (Case c : cases) {
            RawHttp.Response response = c.response();
            boolean closedOnBadBytes = response.status() == -1 && c.expected() == 400;
            if (!closedOnBadBytes) {
                softly.assertThat(response.status()).as(c.why() + ": " + response).isEqualTo(c.expected());
            }
            if (response.status() >= 400 && response.status() < 500 && "application/json".equals(response.header("Content-Type"))) {
                softly.assertThat(response.json().has("error") && response.json().has("detail")).as(c.why() + " error body").isTrue();
            }
        }
        softly.assertAll();

        assertThat(store.counter("sentinel").get()).isEqualTo(7);
        assertThat(store.map("m", JsonNode.class).getVersioned("k")).isEqualTo(entry);
        StoreStats after = store.stats();
        assertThat(after.counters()).as("no refused request may claim a counter name").isEqualTo(before.counters());
        assertThat(after.entries()).isEqualTo(before.entries());
        assertThat(get("/health").status()).isEqualTo(200);
    }

    @Test
    void aWriteThatCouldNotBeStoredOrAnsweredIsRefusedAndCommitsNothing() {
        Versioned<JsonNode> entry = store.map("m", JsonNode.class).getVersioned("k");
        String etag = get("/objects/m/k").header("ETag");
        // Jackson reads, stores and reads back 1000 levels, but cannot write the PATCH reply that carries them one level down.
        String thousandDeep = "{\"v\":" + nested(999) + "}";
        List<Case> cases = new ArrayList<>();
        cases.add(new Case("merge patch whose result is 1000 levels deep", 400, patch("/objects/m/k", thousandDeep)));
        cases.add(new Case("merge patch whose result is 501 levels deep", 400, patch("/objects/m/k", "{\"v\":" + nested(500) + "}")));
        cases.add(new Case("value 501 levels deep", 400, put("/objects/m/k", nested(501))));
        cases.add(new Case("new value 1000 levels deep", 400, put("/objects/m/fresh", nested(1000))));
        cases.add(new Case("merge patch creating a value 1000 levels deep", 400, patch("/objects/m/fresh", thousandDeep)));
        cases.add(new Case("merge patch over the store's 64 KiB", 413,
                patch("/objects/m/k", "{\"big\":\"" + "x".repeat(70_000) + "\"}")));
        cases.add(new Case("delete at version -1", 412, RawHttp.request(port, "DELETE", "/objects/m/k", Map.of("If-Match", "\"-1\""), null)));
        cases.add(new Case("put at version -1", 412, RawHttp.request(port, "PUT", "/objects/m/k",
                Map.of("If-Match", "\"-1\"", "Content-Type", "application/json"), "{}")));

        SoftAssertions softly = new SoftAssertions();
        for (Case c : cases) {
            RawHttp.Response response = c.response();
            softly.assertThat(response.status()).as(c.why() + ": " + response).isEqualTo(c.expected());
            if (response.status() == 400) {
                softly.assertThat(response.json().get("detail").asText()).as(c.why() + " names the limit").contains("500");
            }
        }
        softly.assertAll();

        assertThat(store.map("m", JsonNode.class).getVersioned("k")).isEqualTo(entry);
        assertThat(get("/objects/m/k").header("ETag")).isEqualTo(etag);
        assertThat(store.map("m", JsonNode.class).get("fresh")).isNull();
        assertThat(get("/health").status()).isEqualTo(200);
    }

    @Test
    void clientsThatStopSendingHoldNeitherTheServerNorItsWorkerThreads() throws Exception {
        // More stalled clients than the server has worker threads (8 per core): if a stalled body
        // held a worker thread, the requests below would queue behind them until the read timeout.
        List<Socket> stalled = new ArrayList<>();
        try {
            for (int i = 0; i < 60; i++) {
                Socket socket = RawHttp.open(port);
                OutputStream out = socket.getOutputStream();
                String request = i % 2 == 0
                        ? "PUT /objects/m/k HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"v\":"
                        : "GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ";
                out.write(request.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                stalled.add(socket);
            }
            for (int i = 0; i < 20; i++) {
                assertThat(post("/counters/sentinel/increment", null).status()).isEqualTo(200);
                assertThat(get("/objects/m/k").json().get("v").asInt()).isEqualTo(1);
            }
        } finally {
            for (Socket socket : stalled) {
                socket.close(); // gone mid-request: the server must shrug
            }
        }
        assertThat(get("/counters/sentinel").json().get("value").asLong()).isEqualTo(27);
        assertThat(get("/objects/m/k").json().get("v").asInt()).isEqualTo(1);
        assertThat(get("/health").status()).isEqualTo(200);
    }

    private RawHttp.Response get(String path) {
        return RawHttp.request(port, "GET", path);
    }

    private RawHttp.Response post(String path, String body) {
        return RawHttp.request(port, "POST", path, body == null ? Map.of() : JSON, body);
    }

    private RawHttp.Response put(String path, String body) {
        return RawHttp.request(port, "PUT", path, JSON, body);
    }

    private RawHttp.Response patch(String path, String body) {
        return RawHttp.request(port, "PATCH", path, Map.of("Content-Type", "application/merge-patch+json"), body);
    }

    /** An array nested levels deep: [[...]]. */
    private static String nested(int levels) {
        return "[".repeat(levels) + "]".repeat(levels);
    }

    private static byte[] chunked(String path, int bytes) {
        StringBuilder request = new StringBuilder("PUT " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
        String chunk = "x".repeat(8192);
        for (int sent = 0; sent < bytes; sent += chunk.length()) {
            request.append(Integer.toHexString(chunk.length())).append("\r\n").append(chunk).append("\r\n");
        }
        request.append("0\r\n\r\n");
        return request.toString().getBytes(StandardCharsets.ISO_8859_1);
    }
}
