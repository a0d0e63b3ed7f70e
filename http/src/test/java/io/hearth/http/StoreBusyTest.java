package io.hearth.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.hearth.SharedStore;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A map lock held by a process that is alive but stopped (SIGSTOP) fails map calls once the lock
 * wait runs out; the store is faked ({@link StoppedHolderBackendProvider}), since the point is the answer.
 */
class StoreBusyTest {
    private static final Map<String, String> JSON = Map.of("Content-Type", "application/json");

    @TempDir
    Path dir;

    @Test
    void mapCallsHeldUpByAStoppedLockHolderAnswer503WithRetryAfterNot500() {
        try (SharedStore store = SharedStore.open(StoppedHolderBackendProvider.at(dir.resolve("busy.store")));
             HearthServer server = HearthServer.builder(store).port(0).start()) {
            int port = server.port();
            Map<String, RawHttp.Response> responses = new LinkedHashMap<>();
            responses.put("GET", RawHttp.request(port, "GET", "/objects/m/k"));
            responses.put("PUT", RawHttp.request(port, "PUT", "/objects/m/k", JSON, "{}"));
            responses.put("PATCH", RawHttp.request(port, "PATCH", "/objects/m/k",
                    Map.of("Content-Type", "application/merge-patch+json"), "{\"a\":1}"));
            responses.put("DELETE", RawHttp.request(port, "DELETE", "/objects/m/k"));
            responses.put("list", RawHttp.request(port, "GET", "/objects/m"));

            SoftAssertions softly = new SoftAssertions();
            responses.forEach((what, response) -> {
                softly.assertThat(response.status()).as(what + ": " + response).isEqualTo(503);
                softly.assertThat(response.header("Retry-After")).as(what).isEqualTo("1");
                softly.assertThat(response.json().get("error").asText()).as(what).isEqualTo("store_busy");
                softly.assertThat(response.json().get("detail").asText()).as(what)
                        .contains("process " + StoppedHolderBackendProvider.STOPPED_PID, "alive but not running");
            });
            softly.assertAll();
            assertThat(RawHttp.request(port, "POST", "/increment").status()).as("counters take no map lock").isEqualTo(200);
            assertThat(RawHttp.request(port, "GET", "/health").status()).isEqualTo(200);
        }
    }
}
