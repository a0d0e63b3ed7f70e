package io.hearth.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.hearth.SharedMap;
import io.hearth.SharedStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Objects that expire, over HTTP: {@code ?ttl=} on PUT and PATCH, {@code Hearth-TTL-Ms} on the answers. */
class ObjectTimeToLiveTest {
    private static final Map<String, String> JSON = Map.of("Content-Type", "application/json");
    private static final Map<String, String> MERGE_PATCH = Map.of("Content-Type", "application/merge-patch+json");
    private static final String TTL = "Hearth-TTL-Ms";

    @TempDir
    Path dir;
    private SharedStore store;
    private HearthServer server;
    private int port;
    private SharedMap<JsonNode> sessions;

    @BeforeEach
    void start() {
        store = SharedStore.open(dir.resolve("test.store"));
        server = HearthServer.builder(store).port(0).start();
        port = server.port();
        sessions = store.map("sessions", JsonNode.class);
    }

    @AfterEach
    void stop() {
        server.close();
        store.close();
    }

    @Test
    void aBadTimeToLiveIsRefusedWith400NamingTheLimitAndTheValueAndWritesNothing() {
        for (String ttl : List.of("", "abc", "10x", "1.5s", "10S", "10%20s", "0", "0ms", "-5s", "36501d", "3153600000001ms",
                "99999999999999999999")) {
            RawHttp.Response put = RawHttp.request(port, "PUT", "/objects/sessions/s1?ttl=" + ttl, JSON, "{\"user\":\"ada\"}");
            assertThat(put.status()).as("PUT ?ttl=%s: %s", ttl, put).isEqualTo(400);
            assertThat(put.json().get("error").asText()).isEqualTo("bad_request");
            assertThat(put.json().get("detail").asText()).as("PUT ?ttl=%s", ttl)
                    .contains("'" + ttl.replace("%20", " ") + "'").contains("at most 36500 days");
            RawHttp.Response patch = RawHttp.request(port, "PATCH", "/objects/sessions/s1?ttl=" + ttl, MERGE_PATCH, "{\"user\":\"ada\"}");
            assertThat(patch.status()).as("PATCH ?ttl=%s: %s", ttl, patch).isEqualTo(400);
        }
        assertThat(RawHttp.request(port, "PUT", "/objects/sessions/s1?ttl=1s&ttl=2s", JSON, "{}").status()).isEqualTo(400);
        assertThat(sessions.getVersioned("s1")).isNull();
        assertThat(store.stats().entries()).isZero();
    }

    @Test
    void aBadTimeToLiveLeavesAnExistingEntryItsValueVersionAndExpiry() {
        String etag = RawHttp.request(port, "PUT", "/objects/sessions/s1?ttl=1h", JSON, "{\"n\":1}").header("ETag");
        assertThat(RawHttp.request(port, "PUT", "/objects/sessions/s1?ttl=0", JSON, "{\"n\":2}").status()).isEqualTo(400);
        assertThat(RawHttp.request(port, "PATCH", "/objects/sessions/s1?ttl=forever", MERGE_PATCH, "{\"n\":3}").status()).isEqualTo(400);
        RawHttp.Response read = RawHttp.request(port, "GET", "/objects/sessions/s1");
        assertThat(read.header("ETag")).isEqualTo(etag);
        assertThat(read.json().get("n").asInt()).isEqualTo(1);
        assertThat(sessions.timeToLive("s1")).hasValueSatisfying(left -> assertThat(left).isGreaterThan(Duration.ofMinutes(59)));
    }

    @Test
    void aPutWithATimeToLiveAnswersWhatIsLeftOfItAndSoDoGetAndHead() {
        RawHttp.Response put = RawHttp.request(port, "PUT", "/objects/sessions/s1?ttl=30s", JSON, "{\"user\":\"ada\"}");
        assertThat(put.status()).isEqualTo(201);
        assertThat(Long.parseLong(put.header(TTL))).isEqualTo(30_000);

        for (String method : List.of("GET", "HEAD")) {
            RawHttp.Response read = RawHttp.request(port, method, "/objects/sessions/s1");
            assertThat(read.status()).isEqualTo(200);
            assertThat(Long.parseLong(read.header(TTL))).as(method).isPositive().isLessThanOrEqualTo(30_000);
            assertThat(read.header("Expires")).as("no invitation to cache a value that can change").isNull();
            assertThat(read.header("Cache-Control")).isNull();
        }
        String etag = put.header("ETag");
        RawHttp.Response notModified = RawHttp.request(port, "GET", "/objects/sessions/s1", Map.of("If-None-Match", etag), null);
        assertThat(notModified.status()).isEqualTo(304);
        assertThat(Long.parseLong(notModified.header(TTL))).isPositive().isLessThanOrEqualTo(30_000);
        assertThat(sessions.timeToLive("s1")).hasValueSatisfying(left -> assertThat(left).isLessThanOrEqualTo(Duration.ofSeconds(30)));
    }

    @Test
    void anEntryWithoutExpiryHasNoTimeToLiveHeader() {
        RawHttp.Response put = RawHttp.request(port, "PUT", "/objects/sessions/s1", JSON, "{}");
        assertThat(put.status()).isEqualTo(201);
        assertThat(put.header(TTL)).isNull();
        assertThat(RawHttp.request(port, "GET", "/objects/sessions/s1").header(TTL)).isNull();
    }

    @Test
    void anEntryIsGoneFromReadsAndFromTheListingOnceItsTimeToLiveHasPassed() throws Exception {
        assertThat(RawHttp.request(port, "PUT", "/objects/sessions/short?ttl=300ms", JSON, "{}").status()).isEqualTo(201);
        assertThat(RawHttp.request(port, "PUT", "/objects/sessions/kept", JSON, "{}").status()).isEqualTo(201);
        long written = System.nanoTime();
        assertThat(RawHttp.request(port, "GET", "/objects/sessions").json().get("keys").toString()).isEqualTo("[\"kept\",\"short\"]");

        sleepUntil(written + Duration.ofMillis(400).toNanos()); // the deadline was set before the PUT answered

        RawHttp.Response read = RawHttp.request(port, "GET", "/objects/sessions/short");
        assertThat(read.status()).isEqualTo(404);
        assertThat(read.json().get("error").asText()).isEqualTo("not_found");
        assertThat(RawHttp.request(port, "GET", "/objects/sessions").json().get("keys").toString()).isEqualTo("[\"kept\"]");
        assertThat(RawHttp.request(port, "GET", "/objects/sessions/kept").status()).isEqualTo(200);
        // Gone for conditional writes too: If-None-Match: * creates it again.
        assertThat(RawHttp.request(port, "PUT", "/objects/sessions/short", Map.of("If-None-Match", "*", "Content-Type", "application/json"),
                "{}").status()).isEqualTo(201);
    }

    @Test
    void aMergePatchKeepsTheEntrysExpiryUnlessItNamesATimeToLive() {
        RawHttp.request(port, "PUT", "/objects/sessions/s1?ttl=60s", JSON, "{\"user\":\"ada\",\"clicks\":1}");

        RawHttp.Response kept = RawHttp.request(port, "PATCH", "/objects/sessions/s1", MERGE_PATCH, "{\"clicks\":2}");
        assertThat(kept.status()).isEqualTo(200);
        assertThat(Long.parseLong(kept.header(TTL))).isPositive().isLessThanOrEqualTo(60_000);
        assertThat(sessions.timeToLive("s1")).hasValueSatisfying(left -> assertThat(left).isLessThanOrEqualTo(Duration.ofSeconds(60)));
        assertThat(sessions.get("s1").get("clicks").asInt()).isEqualTo(2);

        RawHttp.Response renewed = RawHttp.request(port, "PATCH", "/objects/sessions/s1?ttl=2h", MERGE_PATCH, "{\"clicks\":3}");
        assertThat(renewed.status()).isEqualTo(200);
        assertThat(Long.parseLong(renewed.header(TTL))).isEqualTo(Duration.ofHours(2).toMillis());
        assertThat(sessions.timeToLive("s1")).hasValueSatisfying(left -> assertThat(left).isGreaterThan(Duration.ofMinutes(119)));
    }

    @Test
    void aMergePatchThatCreatesTheEntryWithoutATimeToLiveGivesItNoExpiry() {
        RawHttp.Response created = RawHttp.request(port, "PATCH", "/objects/sessions/new", MERGE_PATCH, "{\"a\":1}");
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.header(TTL)).isNull();
        assertThat(sessions.timeToLive("new")).isEmpty();
    }

    @Test
    void aPutWithoutATimeToLiveMakesTheEntryNoLongerExpireAsRedisSetDoes() {
        RawHttp.request(port, "PUT", "/objects/sessions/s1?ttl=60s", JSON, "{\"v\":1}");
        RawHttp.Response replaced = RawHttp.request(port, "PUT", "/objects/sessions/s1", JSON, "{\"v\":2}");
        assertThat(replaced.status()).isEqualTo(200);
        assertThat(replaced.header(TTL)).isNull();
        assertThat(RawHttp.request(port, "GET", "/objects/sessions/s1").header(TTL)).isNull();
        assertThat(sessions.timeToLive("s1")).isEmpty();
    }

    @Test
    void aConditionalPutWithATimeToLiveThatFailsItsConditionChangesNeitherValueNorExpiry() {
        RawHttp.request(port, "PUT", "/objects/sessions/s1", JSON, "{\"v\":1}");
        RawHttp.Response refused = RawHttp.request(port, "PUT", "/objects/sessions/s1?ttl=1s",
                Map.of("If-Match", "\"999999\"", "Content-Type", "application/json"), "{\"v\":2}");
        assertThat(refused.status()).isEqualTo(412);
        assertThat(refused.header(TTL)).isNull();
        assertThat(sessions.get("s1").get("v").asInt()).isEqualTo(1);
        assertThat(sessions.timeToLive("s1")).isEmpty();
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        for (long left = nanoTime - System.nanoTime(); left > 0; left = nanoTime - System.nanoTime()) {
            Thread.sleep(Math.max(1, left / 1_000_000));
        }
    }
}
