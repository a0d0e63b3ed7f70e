package io.hearth.http;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hearth.StoreBusyException;
import io.hearth.StoreClosedException;
import io.hearth.StoreFullException;
import io.hearth.StoreUnavailableException;
import io.hearth.ValueTooLargeException;
import io.undertow.io.Receiver;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RequestTooBigException;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The one place that turns a failure into a status code and a JSON body
 * {@code {"error": "...", "detail": "..."}}, plus the numbers an {@link HttpError} carries. Client
 * mistakes are 4xx; a 5xx is logged, because no client input is meant to cause one.
 */
final class Errors {
    private static final System.Logger LOG = System.getLogger(HearthServer.class.getName());
    private static final Map<HttpString, String> RETRY_SOON = Map.of(Headers.RETRY_AFTER, "1");

    private Errors() {
    }

    /** Answers exchange with the status that fits failure. */
    static void send(HttpServerExchange exchange, Throwable failure) {
        if (failure instanceof HttpError error) {
            send(exchange, error);
        } else if (failure instanceof ValueTooLargeException e) {
            send(exchange, new HttpError(413, "too_large", e.getMessage()));
        } else if (failure instanceof IllegalArgumentException e) {
            send(exchange, new HttpError(400, "bad_request", e.getMessage()));
        } else if (failure instanceof RequestTooBigException || failure instanceof Receiver.RequestToLargeException) {
            send(exchange, new HttpError(413, "too_large", "request body is over the limit of "
                    + exchange.getAttachment(ReadBody.LIMIT) + " bytes"));
        } else if (failure instanceof IOException) {
            // The client went away or stopped sending mid-body: nobody is left to answer.
            exchange.setPersistent(false);
            exchange.endExchange();
        } else if (failure instanceof StoreFullException e) {
            send(exchange, new HttpError(507, "store_full", e.getMessage()));
        } else if (failure instanceof StoreUnavailableException e) {
            // Redis down or slow: not this request's fault, and over once it answers again (the store reconnects).
            send(exchange, new HttpError(503, "store_unavailable", e.getMessage(), RETRY_SOON));
        } else if (failure instanceof StoreBusyException e) {
            // A map lock held by a process that is stopped (SIGSTOP): over once it runs again or dies.
            send(exchange, new HttpError(503, "store_busy", e.getMessage(), RETRY_SOON));
        } else if (failure instanceof StoreClosedException) {
            send(exchange, new HttpError(503, "unavailable", "this worker is shutting down; retry"));
        } else {
            LOG.log(System.Logger.Level.ERROR, "unexpected failure answering " + exchange.getRequestMethod() + " "
                    + exchange.getRequestPath(), failure);
            send(exchange, new HttpError(500, "internal_error", "unexpected server error in process "
                    + ProcessHandle.current().pid() + "; see its log"));
        }
    }

    static void send(HttpServerExchange exchange, HttpError error) {
        if (exchange.isResponseStarted()) {
            LOG.log(System.Logger.Level.WARNING, "cannot answer " + error.status() + " (" + error.detail()
                    + "): the response had started");
            exchange.endExchange();
            return;
        }
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("error", error.error());
        body.put("detail", error.detail());
        error.fields().forEach(body::put);
        exchange.setStatusCode(error.status());
        for (Map.Entry<HttpString, String> header : error.headers().entrySet()) {
            exchange.getResponseHeaders().put(header.getKey(), header.getValue());
        }
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
        exchange.getResponseSender().send(ByteBuffer.wrap(body.toString().getBytes(StandardCharsets.UTF_8)));
    }

}
