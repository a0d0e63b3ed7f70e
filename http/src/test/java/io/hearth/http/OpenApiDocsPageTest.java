package io.hearth.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.hearth.SharedStore;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /docs: an HTML page that renders /openapi.json with files the worker serves itself, and nothing from elsewhere. */
class OpenApiDocsPageTest {
    private static final Pattern REFERENCE = Pattern.compile("\\s(?:src|href|data-document)=\"([^\"]*)\"");
    private static final Map<String, String> TYPES = Map.of(
            ".js", "text/javascript; charset=utf-8", ".css", "text/css; charset=utf-8", ".png", "image/png",
            ".json", "application/json");

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
    void theDocsPageIsHtmlWhoseScriptsStylesIconsAndDocumentAllComeFromTheWorkerItself() {
        RawHttp.Response page = RawHttp.request(port, "GET", "/docs");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.header("Content-Type")).isEqualTo("text/html; charset=utf-8");
        List<String> references = new ArrayList<>();
        Matcher matcher = REFERENCE.matcher(page.body());
        while (matcher.find()) {
            references.add(matcher.group(1));
        }
        assertThat(references).as("the page's references").contains("docs/swagger-ui-bundle.js", "docs/swagger-ui.css", "openapi.json");
        URI base = URI.create("http://127.0.0.1:" + port + "/docs");
        for (String reference : references) {
            assertThat(reference).as("a reference with no scheme or host of its own").doesNotMatch("(?s)([A-Za-z][A-Za-z0-9+.-]*:|//).*");
            URI resolved = base.resolve(reference);
            assertThat(resolved.getAuthority()).isEqualTo(base.getAuthority());
            RawHttp.Response asset = RawHttp.request(port, "GET", resolved.getRawPath());
            assertThat(asset.status()).as(reference + ": " + asset.headers()).isEqualTo(200);
            assertThat(asset.body()).as(reference).isNotEmpty();
            assertThat(asset.header("Content-Type")).as(reference).isEqualTo(TYPES.get(reference.substring(reference.lastIndexOf('.'))));
        }
        assertThat(RawHttp.request(port, "GET", "/docs/hearth-docs.js").body()).as("the page's own script names no host").doesNotContain("://");
    }

    @Test
    void theDocsPageForbidsTheBrowserToLoadAnythingFromAnotherHost() {
        String policy = RawHttp.request(port, "GET", "/docs").header("Content-Security-Policy");
        assertThat(policy).isNotNull().contains("default-src 'none'");
        for (String directive : policy.split(";")) {
            List<String> words = Arrays.asList(directive.trim().split("\\s+"));
            assertThat(Set.of("'self'", "'none'", "data:", "'unsafe-inline'")).as(directive).containsAll(words.subList(1, words.size()));
            if (words.get(0).equals("script-src")) {
                assertThat(words.subList(1, words.size())).as("scripts only from the worker's own files").containsExactly("'self'");
            }
        }
    }

    @Test
    void aFileThePageDoesNotUseIsNotFoundAsJson() {
        for (String path : List.of("/docs/swagger-ui.js", "/docs/index.html", "/docs/..%2Fopenapi.json", "/docs/nothing.css")) {
            RawHttp.Response response = RawHttp.request(port, "GET", path);
            assertThat(response.status()).as(path).isEqualTo(404);
            assertThat(response.json().path("error").asText()).as(path).isEqualTo("not_found");
        }
    }

    @Test
    void thePageItsFilesAndTheDocumentNeedNoTokenEvenWhenReadsAreProtected() {
        try (HearthServer guarded = HearthServer.builder(store).port(0).token("s3cret").protectReads().start()) {
            for (String path : List.of("/docs", "/docs/swagger-ui-bundle.js", "/docs/hearth-docs.js", "/openapi.json")) {
                assertThat(RawHttp.request(guarded.port(), "GET", path).status()).as(path).isEqualTo(200);
            }
            assertThat(RawHttp.request(guarded.port(), "GET", "/stats").status()).isEqualTo(401);
        }
    }
}
