package io.hearth.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.hearth.SharedStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Counters that expire, over HTTP: {@code ?ttl=} on POST .../increment and PUT, {@code ttl_ms} in
 * the answers, and {@code ?limit=}, a fixed-window rate limit in one request. Many workers on one
 * limit: {@link RateLimitAcrossWorkersTest}.
 */
class CounterTimeToLiveTest {
    private static final Map<String, String> JSON = Map.of("Content-Type", "application/json");

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
    void aBadTimeToLiveOrLimitIsRefusedWith400AndCreatesNoCounter() {
        for (String ttl : List.of("", "abc", "10x", "1.5s", "0", "0ms", "-1s", "36501d", "99999999999999999999")) {
            RawHttp.Response add = RawHttp.request(port, "POST", "/counters/hits/increment?ttl=" + ttl);
            assertThat(add.status()).as("POST ?ttl=%s: %s", ttl, add).isEqualTo(400);
            assertThat(add.json().get("detail").asText()).as("POST ?ttl=%s", ttl).contains("'" + ttl + "'").contains("at most 36500 days");
            RawHttp.Response set = RawHttp.request(port, "PUT", "/counters/hits?ttl=" + ttl, JSON, "5");
            assertThat(set.status()).as("PUT ?ttl=%s: %s", ttl, set).isEqualTo(400);
        }
        for (String limit : List.of("-1", "x", "1.5", "99999999999999999999")) {
            RawHttp.Response add = RawHttp.request(port, "POST", "/counters/hits/increment?ttl=1s&limit=" + limit);
            assertThat(add.status()).as("POST ?limit=%s: %s", limit, add).isEqualTo(400);
            assertThat(add.json().get("detail").asText()).contains("'limit'");
        }
        assertThat(store.findCounter("hits")).isEmpty();
        assertThat(store.stats().counters()).isZero();
    }

    @Test
    void anAddWithATimeToLiveAnswersWhatIsLeftOfItAndTheCounterIsGoneAfterIt() throws Exception {
        RawHttp.Response first = RawHttp.request(port, "POST", "/counters/hits/increment?ttl=300ms");
        long created = System.nanoTime();
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.json().get("value").asLong()).isEqualTo(1);
        assertThat(first.json().get("ttl_ms").asLong()).isBetween(0L, 300L);

        JsonNode read = RawHttp.request(port, "GET", "/counters/hits").json();
        assertThat(read.get("value").asLong()).isEqualTo(1);
        assertThat(read.has("ttl_ms")).as(read.toString()).isTrue();
        assertThat(store.counter("hits").timeToLive()).isPresent();

        sleepUntil(created + Duration.ofMillis(400).toNanos());

        JsonNode after = RawHttp.request(port, "GET", "/counters/hits").json();
        assertThat(after.get("value").asLong()).isZero();
        assertThat(after.has("ttl_ms")).as(after.toString()).isFalse();
        assertThat(store.findCounter("hits")).isEmpty();
    }

    @Test
    void anExistingCounterKeepsItsWindowWhateverTheTimeToLiveOfLaterAdds() {
        RawHttp.request(port, "POST", "/counters/hits/increment?ttl=60s");
        JsonNode longer = RawHttp.request(port, "POST", "/counters/hits/increment?ttl=2h").json();
        assertThat(longer.get("value").asLong()).isEqualTo(2);
        assertThat(longer.get("ttl_ms").asLong()).isBetween(0L, 60_000L);
        JsonNode without = RawHttp.request(port, "POST", "/counters/hits/increment").json();
        assertThat(without.get("value").asLong()).isEqualTo(3);
        assertThat(without.get("ttl_ms").asLong()).isBetween(0L, 60_000L);
    }

    @Test
    void aCounterWithoutExpiryAnswersNoTimeToLive() {
        JsonNode added = RawHttp.request(port, "POST", "/counters/plain/increment").json();
        assertThat(added.has("ttl_ms")).isFalse();
        assertThat(RawHttp.request(port, "GET", "/counters/plain").json().has("ttl_ms")).isFalse();
        assertThat(RawHttp.request(port, "PUT", "/counters/plain", JSON, "7").json().has("ttl_ms")).isFalse();
    }

    @Test
    void aHandleWithATimeToLiveNeverServesALaterWriteWithoutOneNorTheOtherWayRound() throws Exception {
        // A write with a ttl first, then one without after the window: the new counter must not expire.
        RawHttp.request(port, "POST", "/counters/a/increment?ttl=300ms");
        long created = System.nanoTime();
        sleepUntil(created + Duration.ofMillis(400).toNanos());
        JsonNode plain = RawHttp.request(port, "POST", "/counters/a/increment").json();
        assertThat(plain.get("value").asLong()).isEqualTo(1);
        assertThat(plain.has("ttl_ms")).as(plain.toString()).isFalse();

        // A write without a ttl first (its handle is cached), the counter removed, then one with a ttl: it must expire.
        RawHttp.request(port, "POST", "/counters/b/increment");
        assertThat(RawHttp.request(port, "DELETE", "/counters/b").status()).isEqualTo(204);
        JsonNode windowed = RawHttp.request(port, "POST", "/counters/b/increment?ttl=60s").json();
        assertThat(windowed.get("value").asLong()).isEqualTo(1);
        assertThat(windowed.get("ttl_ms").asLong()).isBetween(0L, 60_000L);
    }

    @Test
    void aPutWithATimeToLiveSetsTheValueAndAWindowFromNowEvenOnACounterThatExisted() {
        RawHttp.request(port, "PUT", "/counters/quota", JSON, "3");
        assertThat(store.counter("quota").timeToLive()).isEmpty();

        JsonNode set = RawHttp.request(port, "PUT", "/counters/quota?ttl=60s", JSON, "5").json();
        assertThat(set.get("value").asLong()).isEqualTo(5);
        assertThat(set.get("ttl_ms").asLong()).isBetween(1L, 60_000L);
        assertThat(store.counter("quota").get()).isEqualTo(5);
        assertThat(store.counter("quota").timeToLive()).hasValueSatisfying(left -> assertThat(left).isGreaterThan(Duration.ofSeconds(50)));

        JsonNode fresh = RawHttp.request(port, "PUT", "/counters/fresh?ttl=2h", JSON, "9").json();
        assertThat(fresh.get("ttl_ms").asLong()).isGreaterThan(Duration.ofMinutes(119).toMillis());

        JsonNode keeps = RawHttp.request(port, "PUT", "/counters/quota", JSON, "0").json();
        assertThat(keeps.get("ttl_ms").asLong()).as("a PUT without ttl keeps the counter's expiry").isBetween(1L, 60_000L);
    }

    @Test
    void overItsLimitAnAddIs429WithRetryAfterAndTheRefusedRequestIsCounted() {
        for (int expected = 1; expected <= 2; expected++) {
            RawHttp.Response allowed = RawHttp.request(port, "POST", "/counters/api/increment?ttl=60s&limit=2");
            assertThat(allowed.status()).isEqualTo(200);
            assertThat(allowed.json().get("value").asLong()).isEqualTo(expected);
            assertThat(allowed.header("Retry-After")).isNull();
        }
        for (int expected = 3; expected <= 4; expected++) {
            RawHttp.Response refused = RawHttp.request(port, "POST", "/counters/api/increment?ttl=60s&limit=2");
            assertThat(refused.status()).isEqualTo(429);
            assertThat(refused.header("Content-Type")).isEqualTo("application/json");
            JsonNode body = refused.json();
            assertThat(body.get("error").asText()).isEqualTo("rate_limited");
            assertThat(body.get("value").asLong()).isEqualTo(expected);
            assertThat(body.get("limit").asLong()).isEqualTo(2);
            assertThat(body.get("ttl_ms").asLong()).isBetween(0L, 60_000L);
            assertThat(body.get("detail").asText()).contains("'api'").contains("at " + expected).contains("limit of 2").contains("counted");
            assertThat(Long.parseLong(refused.header("Retry-After"))).isBetween(1L, 60L);
        }
        assertThat(store.counter("api").get()).isEqualTo(4);
    }

    @Test
    void aLimitOnACounterThatNeverExpiresRefusesWithoutRetryAfterAndALimitOfZeroRefusesAll() {
        assertThat(RawHttp.request(port, "POST", "/counters/total/increment?limit=1").status()).isEqualTo(200);
        RawHttp.Response refused = RawHttp.request(port, "POST", "/counters/total/increment?limit=1");
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.header("Retry-After")).isNull();
        assertThat(refused.json().has("ttl_ms")).isFalse();
        assertThat(refused.json().get("detail").asText()).contains("does not expire");

        RawHttp.Response none = RawHttp.request(port, "POST", "/counters/closed/increment?ttl=1h&limit=0");
        assertThat(none.status()).isEqualTo(429);
        assertThat(none.json().get("value").asLong()).isEqualTo(1);
        assertThat(Long.parseLong(none.header("Retry-After"))).isBetween(3500L, 3600L);
    }

    @Test
    void retryAfterIsTheSecondsLeftRoundedUpAndAtLeastOne() {
        assertThat(CounterEndpoints.retryAfterSeconds(Duration.ZERO)).isEqualTo(1);
        assertThat(CounterEndpoints.retryAfterSeconds(Duration.ofMillis(1))).isEqualTo(1);
        assertThat(CounterEndpoints.retryAfterSeconds(Duration.ofMillis(1000))).isEqualTo(1);
        assertThat(CounterEndpoints.retryAfterSeconds(Duration.ofMillis(1001))).isEqualTo(2);
        assertThat(CounterEndpoints.retryAfterSeconds(Duration.ofMinutes(1))).isEqualTo(60);
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        for (long left = nanoTime - System.nanoTime(); left > 0; left = nanoTime - System.nanoTime()) {
            Thread.sleep(Math.max(1, left / 1_000_000));
        }
    }
}
