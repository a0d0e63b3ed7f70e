package io.hearth.http;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import java.util.function.Predicate;

/**
 * Moves the exchange off the IO thread before next runs, as Undertow's {@code BlockingHandler}
 * does: store calls can wait on another process's segment lock or on broadcast acknowledgements,
 * and an IO thread serves many connections. The one exception is work that cannot wait
 * ({@code cannotBlock}): a known counter is one atomic instruction on mapped memory, and handing
 * it to another thread costs more than it does (measured: see the README). Whatever next throws
 * is answered by {@link Errors}.
 */
final class Dispatch implements HttpHandler {
    /** For work that may block: always dispatched. */
    static final Predicate<HttpServerExchange> MAY_BLOCK = exchange -> false;

    private final HttpHandler next;
    private final Predicate<HttpServerExchange> cannotBlock;

    Dispatch(HttpHandler next) {
        this(next, MAY_BLOCK);
    }

    Dispatch(HttpHandler next, Predicate<HttpServerExchange> cannotBlock) {
        this.next = next;
        this.cannotBlock = cannotBlock;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        if (exchange.isInIoThread() && !cannotBlock.test(exchange)) {
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
