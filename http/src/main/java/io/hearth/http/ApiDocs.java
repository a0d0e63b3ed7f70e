package io.hearth.http;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.PathTemplateMatch;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The API's description: {@code /openapi.json}, an OpenAPI 3.1 document of every route, written by
 * hand beside this class ({@code openapi.json} in this package's resources; {@code OpenApiDocumentTest}
 * compares it with the route table and requests every operation it names), and {@code /docs},
 * Swagger UI rendering it. Swagger UI's files come from the {@code org.webjars:swagger-ui} jar on
 * the class path and are served under {@code /docs/}; the page's {@code Content-Security-Policy}
 * lets the browser load nothing from any other host, so the page works with no network at all.
 *
 * <p>Each file is read from the class path on its first request (a worker thread's work: the
 * routes dispatch) and kept; a worker that is never asked holds none of them. Nothing here touches
 * the store, so these routes never ask for a token.
 */
final class ApiDocs {
    /** What the page may load: this worker's own files, and the images Swagger UI's CSS inlines. */
    static final String PAGE_POLICY = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline';"
            + " img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    private static final String OWN = "/io/hearth/http/";
    private static final String PAGE_SCRIPT = "hearth-docs.js";
    private static final String WEBJAR = "org.webjars:swagger-ui";
    private static final String WEBJAR_PROPERTIES = "/META-INF/maven/org.webjars/swagger-ui/pom.properties";
    private static final HttpString CONTENT_SECURITY_POLICY = HttpString.tryFromString("Content-Security-Policy");
    private static final HttpString CONTENT_TYPE_OPTIONS = HttpString.tryFromString("X-Content-Type-Options");
    /** The files under /docs/ and their types: Hearth's page script, then the files of Swagger UI it uses. */
    private static final Map<String, String> ASSETS = Map.of(
            PAGE_SCRIPT, "text/javascript; charset=utf-8",
            "swagger-ui-bundle.js", "text/javascript; charset=utf-8",
            "swagger-ui-bundle.js.LICENSE.txt", "text/plain; charset=utf-8",
            "swagger-ui.css", "text/css; charset=utf-8",
            "favicon-32x32.png", "image/png",
            "favicon-16x16.png", "image/png");

    private final Map<String, byte[]> loaded = new ConcurrentHashMap<>();

    /** The OpenAPI document. */
    HttpHandler document() {
        return exchange -> send(exchange, "application/json", own("openapi.json"));
    }

    /** The HTML page; it loads its script and styles from /docs/ and the document from /openapi.json. */
    HttpHandler page() {
        return exchange -> {
            webjarDirectory(); // a page whose scripts are missing would be blank: say why instead
            exchange.getResponseHeaders().put(CONTENT_SECURITY_POLICY, PAGE_POLICY);
            send(exchange, "text/html; charset=utf-8", own("docs.html"));
        };
    }

    /** /docs/{asset}: one of {@link #ASSETS}, 404 for any other name (compared as sent, undecoded). */
    HttpHandler asset() {
        return exchange -> {
            String name = exchange.getAttachment(PathTemplateMatch.ATTACHMENT_KEY).getParameters().get("asset");
            String type = ASSETS.get(name);
            if (type == null) {
                throw HttpError.notFound("no file '" + Requests.printable(name) + "' under /docs/; the page is /docs");
            }
            byte[] body = name.equals(PAGE_SCRIPT) ? own(name) : resource(webjarDirectory() + name)
                    .orElseThrow(() -> missingWebjar(name));
            send(exchange, type, body);
        };
    }

    /** Where the webjar keeps its files: the folder of its version, which its own pom.properties names. */
    private String webjarDirectory() {
        byte[] bytes = resource(WEBJAR_PROPERTIES).orElseThrow(() -> missingWebjar(WEBJAR_PROPERTIES));
        Properties properties = new Properties();
        try {
            properties.load(new ByteArrayInputStream(bytes));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + WEBJAR_PROPERTIES + " of " + WEBJAR, e);
        }
        return "/META-INF/resources/webjars/swagger-ui/" + properties.getProperty("version") + "/";
    }

    private static HttpError missingWebjar(String file) {
        return HttpError.notFound(file + " is not on this worker's class path: /docs needs " + WEBJAR + ", a dependency of hearth-http");
    }

    /** One of this package's own resources, which the build always packs: missing, it is a bug (500). */
    private byte[] own(String name) {
        return resource(OWN + name).orElseThrow(() -> new IllegalStateException(OWN + name + " is missing from the class path"));
    }

    /** The bytes of a class path resource, read once. */
    private Optional<byte[]> resource(String path) {
        byte[] bytes = loaded.get(path);
        return Optional.ofNullable(bytes != null ? bytes : loaded.computeIfAbsent(path, ApiDocs::read));
    }

    /** The resource's bytes, or null when it is not on the class path. */
    private static byte[] read(String path) {
        try (InputStream in = ApiDocs.class.getResourceAsStream(path)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path + " from the class path", e);
        }
    }

    private static void send(HttpServerExchange exchange, String type, byte[] body) {
        exchange.setStatusCode(200);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, type);
        exchange.getResponseHeaders().put(CONTENT_TYPE_OPTIONS, "nosniff");
        exchange.getResponseSender().send(ByteBuffer.wrap(body));
    }
}
