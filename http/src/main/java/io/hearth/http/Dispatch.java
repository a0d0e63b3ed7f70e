package io.hearth.http;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;

/**
 * Moves the exchange off the IO thread before next runs, as Undertow's {@code BlockingHandler}
 * does: store calls can wait on another process's segment lock or on broadcast acknowledgements,
 * and an IO thread serves many connections. Whatever next throws is answered by {@link Errors}.
 */
final class Dispatch implements HttpHandler {
    private final HttpHandler next;

    Dispatch(HttpHandler next) {
        this.next = next;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        if (exchange.isInIoThread()) {
            exchange.dispatch(this);
            return;
        }
        try {
            next.handleRequest(exchange);
        } catch (Throwable failure) {
            Errors.send(exchange, failure);
        }
    }
}
