package io.hearth.http;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;

/**
 * Lets the request through only with {@code Authorization: Bearer <token>}; 401 otherwise. The
 * scheme matches in any case ({@code bearer}, {@code BEARER}), as RFC 7235 says; the token exactly.
 */
final class RequireToken implements HttpHandler {
    private static final String SCHEME = "Bearer";

    private final byte[] expected;
    private final String route;
    private final HttpHandler next;

    /** @param route what the route is, for the 401: "this route changes data" */
    RequireToken(String token, String route, HttpHandler next) {
        this.expected = token.getBytes(StandardCharsets.UTF_8);
        this.route = route;
        this.next = next;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        String given = exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION);
        byte[] token = given == null ? null : bearerToken(given);
        // Constant-time compare: the time taken must not tell how much of a guess was right.
        if (token == null || !MessageDigest.isEqual(expected, token)) {
            Errors.send(exchange, new HttpError(401, "unauthorized",
                    given == null ? route + " and needs the header Authorization: Bearer <HEARTH_TOKEN>"
                            : token == null ? "the Authorization header is not Bearer <token>"
                            : "the bearer token is not the one this worker was started with",
                    Map.of(Headers.WWW_AUTHENTICATE, "Bearer realm=\"hearth\"")));
            return;
        }
        next.handleRequest(exchange);
    }

    /** The token of credentials {@code Bearer <token>}, the scheme in any case and then one or more spaces; null for any other. */
    private static byte[] bearerToken(String credentials) {
        int at = SCHEME.length();
        if (!credentials.regionMatches(true, 0, SCHEME, 0, at) || credentials.length() <= at || credentials.charAt(at) != ' ') {
            return null;
        }
        while (at < credentials.length() && credentials.charAt(at) == ' ') {
            at++;
        }
        return credentials.substring(at).getBytes(StandardCharsets.UTF_8);
    }
}
