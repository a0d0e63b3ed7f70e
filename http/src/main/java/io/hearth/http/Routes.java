package io.hearth.http;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RoutingHandler;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import io.undertow.util.PathTemplateMatcher;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * The route table: a {@link RoutingHandler} plus what it lacks, the methods each path allows, for
 * the {@code Allow} header of a 405. Each endpoint is wrapped so that store work leaves the IO
 * thread, bodies are read without blocking, and routes that change data check the token, as reads
 * do when they are protected; probes and the API's description never do.
 */
final class Routes {
    private static final String CHANGES = "this route changes data";
    private static final String READS = "reads are protected on this worker";

    private final RoutingHandler routing = new RoutingHandler(false); // path parameters stay out of the query
    private final Map<String, Set<String>> methodsByTemplate = new LinkedHashMap<>();
    private final String changeToken;
    private final String readToken;
    private final int maxBodyBytes;

    /**
     * @param changeToken the bearer token routes that change data need, or null for none
     * @param readToken   the bearer token reads need, or null for none
     */
    Routes(String changeToken, String readToken, int maxBodyBytes) {
        this.changeToken = changeToken;
        this.readToken = readToken;
        this.maxBodyBytes = maxBodyBytes;
    }

    /** A read; HEAD is answered too, without the body. */
    Routes get(String template, HttpHandler endpoint) {
        return get(template, Dispatch.MAY_BLOCK, endpoint);
    }

    /** A read that stays on the IO thread when {@code cannotBlock} says it may; see {@link Dispatch}. */
    Routes get(String template, Predicate<HttpServerExchange> cannotBlock, HttpHandler endpoint) {
        return read(template, guarded(readToken, READS, new Dispatch(endpoint, cannotBlock)));
    }

    /** A read for supervisors and load balancers (liveness, readiness): never asks for a token. */
    Routes probe(String template, Predicate<HttpServerExchange> cannotBlock, HttpHandler endpoint) {
        return read(template, new Dispatch(endpoint, cannotBlock));
    }

    /**
     * A read of the API's own description (its OpenAPI document, the page that renders it): it holds
     * nothing stored, so it never asks for a token, even when reads are protected; a browser could
     * not send one with the page anyway.
     */
    Routes description(String template, HttpHandler endpoint) {
        return read(template, new Dispatch(endpoint));
    }

    /** A change without a body. */
    Routes change(HttpString method, String template, HttpHandler endpoint) {
        return change(method, template, Dispatch.MAY_BLOCK, endpoint);
    }

    /** A change without a body that stays on the IO thread when {@code cannotBlock} says it may. */
    Routes change(HttpString method, String template, Predicate<HttpServerExchange> cannotBlock, HttpHandler endpoint) {
        return add(method, template, guarded(changeToken, CHANGES, new Dispatch(endpoint, cannotBlock)));
    }

    /** A change whose endpoint finds the request body at {@link ReadBody#BODY}. */
    Routes changeWithBody(HttpString method, String template, HttpHandler endpoint) {
        return add(method, template, guarded(changeToken, CHANGES, new ReadBody(maxBodyBytes, new Dispatch(endpoint))));
    }

    /** The methods each template answers, in the order the templates were added; what /openapi.json describes. */
    Map<String, Set<String>> methodsByTemplate() {
        Map<String, Set<String>> copy = new LinkedHashMap<>();
        methodsByTemplate.forEach((template, methods) -> copy.put(template, Collections.unmodifiableSet(new TreeSet<>(methods))));
        return Collections.unmodifiableMap(copy);
    }

    HttpHandler handler() {
        PathTemplateMatcher<String> allowed = new PathTemplateMatcher<>();
        methodsByTemplate.forEach((template, methods) -> allowed.add(template, String.join(", ", methods)));
        routing.setFallbackHandler(exchange -> Errors.send(exchange,
                HttpError.notFound("no route " + exchange.getRequestPath() + "; see the README for the routes")));
        routing.setInvalidMethodHandler(exchange -> methodNotAllowed(exchange, allowed));
        return routing;
    }

    private static HttpHandler guarded(String token, String route, HttpHandler handler) {
        return token == null ? handler : new RequireToken(token, route, handler);
    }

    /** GET and HEAD (answered without the body) by one stateless handler. */
    private Routes read(String template, HttpHandler handler) {
        add(Methods.GET, template, handler);
        return add(Methods.HEAD, template, handler);
    }

    private Routes add(HttpString method, String template, HttpHandler handler) {
        routing.add(method, template, handler);
        methodsByTemplate.computeIfAbsent(template, t -> new TreeSet<>()).add(method.toString());
        return this;
    }

    private static void methodNotAllowed(HttpServerExchange exchange, PathTemplateMatcher<String> allowed) {
        var match = allowed.match(exchange.getRelativePath());
        String allow = match == null ? "" : match.getValue();
        Errors.send(exchange, new HttpError(405, "method_not_allowed",
                exchange.getRequestMethod() + " is not allowed on " + exchange.getRequestPath() + "; allowed: " + allow,
                Map.of(Headers.ALLOW, allow)));
    }
}
