package io.hearth.http;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;

/** Lets the request through only with {@code Authorization: Bearer <token>}; 401 otherwise. */
final class RequireToken implements HttpHandler {
    private final byte[] expected;
    private final HttpHandler next;

    RequireToken(String token, HttpHandler next) {
        this.expected = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
        this.next = next;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        String given = exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION);
        // Constant-time compare: the time taken must not tell how much of a guess was right.
        if (given == null || !MessageDigest.isEqual(expected, given.getBytes(StandardCharsets.UTF_8))) {
            Errors.send(exchange, new HttpError(401, "unauthorized",
                    given == null ? "this route changes data and needs the header Authorization: Bearer <HEARTH_TOKEN>"
                            : "the bearer token is not the one this worker was started with",
                    Map.of(Headers.WWW_AUTHENTICATE, "Bearer realm=\"hearth\"")));
            return;
        }
        next.handleRequest(exchange);
    }
}
