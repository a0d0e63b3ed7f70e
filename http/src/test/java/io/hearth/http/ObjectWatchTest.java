package io.hearth.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hearth.SharedMap;
import io.hearth.SharedStore;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /objects/{map}/{key}?watch=VERSION}: a long poll that answers once the entry is past VERSION. */
class ObjectWatchTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

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

    private CompletableFuture<RawHttp.Response> watch(String query) {
        return CompletableFuture.supplyAsync(() -> RawHttp.request(port, "GET", "/objects/sessions/ada?" + query));
    }

    @Test
    void aWatchOnAnUnchangedEntryWaitsAndAnswersWithTheNewValueWhenItIsWritten() throws Exception {
        long first = sessions.put("ada", MAPPER.readTree("{\"n\":1}"));
        CompletableFuture<RawHttp.Response> waiting = watch("watch=" + first);
        Thread.sleep(300);
        assertThat(waiting).as("nothing changed yet: it waits").isNotDone();

        long second = sessions.put("ada", MAPPER.readTree("{\"n\":2}"));
        RawHttp.Response answer = waiting.get(20, TimeUnit.SECONDS);
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.header("ETag")).isEqualTo("\"" + second + "\"");
        assertThat(answer.json().get("n").asInt()).isEqualTo(2);
    }

    @Test
    void aWatchOnAnEntryAlreadyPastTheVersionAnswersAtOnce() throws Exception {
        long first = sessions.put("ada", MAPPER.readTree("{\"n\":1}"));
        long second = sessions.put("ada", MAPPER.readTree("{\"n\":2}"));
        RawHttp.Response answer = watch("watch=" + first).get(20, TimeUnit.SECONDS);
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.header("ETag")).isEqualTo("\"" + second + "\"");
    }

    @Test
    void aWatchThatSeesNoChangeWithinItsTimeoutAnswers304WithTheSameETag() throws Exception {
        long first = sessions.put("ada", MAPPER.readTree("{\"n\":1}"));
        RawHttp.Response answer = watch("watch=" + first + "&timeout=300ms").get(20, TimeUnit.SECONDS);
        assertThat(answer.status()).isEqualTo(304);
        assertThat(answer.header("ETag")).isEqualTo("\"" + first + "\"");
        assertThat(answer.body()).isEmpty();
    }

    @Test
    void aWatchOnAnEntryThatIsRemovedAnswers404() throws Exception {
        long first = sessions.put("ada", MAPPER.readTree("{\"n\":1}"));
        CompletableFuture<RawHttp.Response> waiting = watch("watch=" + first);
        Thread.sleep(200);
        sessions.remove("ada");
        RawHttp.Response answer = waiting.get(20, TimeUnit.SECONDS);
        assertThat(answer.status()).isEqualTo(404);
        assertThat(answer.json().get("error").asText()).isEqualTo("not_found");
    }

    @Test
    void aWatchAtVersionZeroWaitsForTheEntryToBeCreated() throws Exception {
        CompletableFuture<RawHttp.Response> waiting = watch("watch=0");
        Thread.sleep(300);
        assertThat(waiting).isNotDone();
        long created = sessions.put("ada", MAPPER.readTree("{\"n\":7}"));
        RawHttp.Response answer = waiting.get(20, TimeUnit.SECONDS);
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.header("ETag")).isEqualTo("\"" + created + "\"");
    }

    @Test
    void aWatchOfAnotherKeyIsNotWokenByThisOne() throws Exception {
        long first = sessions.put("ada", MAPPER.readTree("{\"n\":1}"));
        CompletableFuture<RawHttp.Response> waiting = watch("watch=" + first + "&timeout=1s");
        sessions.put("grace", MAPPER.readTree("{\"n\":1}"));
        RawHttp.Response answer = waiting.get(20, TimeUnit.SECONDS);
        assertThat(answer.status()).isEqualTo(304);
    }

    @Test
    void aMalformedVersionOrTimeoutIsRefusedWith400NamingIt() {
        RawHttp.Response version = RawHttp.request(port, "GET", "/objects/sessions/ada?watch=abc");
        assertThat(version.status()).isEqualTo(400);
        assertThat(version.json().get("detail").asText()).contains("'watch' is 'abc'");
        RawHttp.Response timeout = RawHttp.request(port, "GET", "/objects/sessions/ada?watch=0&timeout=10m");
        assertThat(timeout.status()).isEqualTo(400);
        assertThat(timeout.json().get("detail").asText()).contains("'timeout' is '10m'").contains("5 minutes");
    }

    @Test
    void stoppingTheServerAnswersWaitingWatchesAtOnce() throws Exception {
        long first = sessions.put("ada", MAPPER.readTree("{\"n\":1}"));
        CompletableFuture<RawHttp.Response> waiting = watch("watch=" + first + "&timeout=5m");
        Thread.sleep(300);
        server.close();
        RawHttp.Response answer = waiting.get(20, TimeUnit.SECONDS); // not the 5 minutes it asked for
        assertThat(answer.status()).isEqualTo(304);
        assertThat(answer.header("ETag")).isEqualTo("\"" + first + "\"");
    }
}
