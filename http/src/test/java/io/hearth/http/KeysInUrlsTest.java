package io.hearth.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hearth.SharedMap;
import io.hearth.SharedStore;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keys that hold any text the Java API takes, sent percent-encoded in the path (RFC 3986): each
 * round-trips through every object route and is the same key the library sees.
 */
class KeysInUrlsTest {
    private static final Map<String, String> JSON = Map.of("Content-Type", "application/json");
    private static final Map<String, String> MERGE_PATCH = Map.of("Content-Type", "application/merge-patch+json");
    /** The README's own "/home", and what else a key may hold that a URL must escape. */
    private static final List<String> KEYS = List.of("/home", "a/b/c", "100%", "%2F", "two words", "plus+sign",
            "café", "日本語", "emoji 😀", "?query#hash", "semi;colon&amp=", "back\\slash", "...");

    @TempDir
    Path dir;
    private SharedStore store;
    private HearthServer server;
    private int port;
    private SharedMap<JsonNode> visits;

    @BeforeEach
    void start() {
        store = SharedStore.open(dir.resolve("test.store"));
        server = HearthServer.builder(store).port(0).start();
        port = server.port();
        visits = store.map("visits", JsonNode.class);
    }

    @AfterEach
    void stop() {
        server.close();
        store.close();
    }

    /** A key as a path segment: every byte outside the unreserved set escaped, so '/' is %2F and ' ' is %20. */
    private static String segment(String key) {
        return URLEncoder.encode(key, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Test
    void aKeyWithAnyCharacterRoundTripsThroughEveryObjectRouteAndIsTheKeyTheLibrarySees() throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        for (String key : KEYS) {
            String path = "/objects/visits/" + segment(key);
            RawHttp.Response put = RawHttp.request(port, "PUT", path, JSON, "{\"n\":1}");
            assertThat(put.status()).as("PUT %s: %s", key, put).isEqualTo(201);
            assertThat(put.json().get("key").asText()).isEqualTo(key);
            assertThat(visits.get(key)).as("the library reads %s", key).isEqualTo(mapper.readTree("{\"n\":1}"));

            RawHttp.Response get = RawHttp.request(port, "GET", path);
            assertThat(get.status()).as("GET %s", key).isEqualTo(200);
            assertThat(get.json().get("n").asInt()).isEqualTo(1);
            assertThat(RawHttp.request(port, "HEAD", path).status()).as("HEAD %s", key).isEqualTo(200);

            RawHttp.Response patch = RawHttp.request(port, "PATCH", path, MERGE_PATCH, "{\"m\":2}");
            assertThat(patch.status()).as("PATCH %s: %s", key, patch).isEqualTo(200);
            assertThat(visits.get(key).get("m").asInt()).isEqualTo(2);

            visits.put(key, mapper.readTree("{\"n\":3}"));
            assertThat(RawHttp.request(port, "GET", path).json().get("n").asInt()).as("a write by the library, read over HTTP").isEqualTo(3);
        }

        RawHttp.Response listed = RawHttp.request(port, "GET", "/objects/visits?limit=1000");
        assertThat(listed.json().get("keys")).extracting(JsonNode::asText).containsExactlyInAnyOrderElementsOf(KEYS);
        RawHttp.Response slashes = RawHttp.request(port, "GET", "/objects/visits?prefix=" + segment("a/"));
        assertThat(slashes.json().get("keys")).extracting(JsonNode::asText).containsExactly("a/b/c");

        for (String key : KEYS) {
            assertThat(RawHttp.request(port, "DELETE", "/objects/visits/" + segment(key)).status()).as("DELETE %s", key).isEqualTo(204);
            assertThat(visits.get(key)).isNull();
        }
        assertThat(store.stats().entries()).isZero();
    }

    @Test
    void theSlashOfAnEncodedKeyIsNeverAPathSeparator() {
        visits.put("a", new ObjectMapper().createObjectNode().put("which", "a"));
        visits.put("a/b", new ObjectMapper().createObjectNode().put("which", "a/b"));
        assertThat(RawHttp.request(port, "GET", "/objects/visits/a%2Fb").json().get("which").asText()).isEqualTo("a/b");
        assertThat(RawHttp.request(port, "GET", "/objects/visits/a/b").status()).as("an unencoded slash is a path step").isEqualTo(404);
    }
}
