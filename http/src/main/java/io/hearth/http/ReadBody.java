package io.hearth.http;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;

/**
 * Reads the whole request body without blocking, up to a limit (413 past it), then calls next
 * with the bytes attached. Reading on the IO thread means a slow or stalled client holds no worker
 * thread; the connection's read timeout ends one that stops sending.
 */
final class ReadBody implements HttpHandler {
    static final AttachmentKey<byte[]> BODY = AttachmentKey.create(byte[].class);
    static final AttachmentKey<Integer> LIMIT = AttachmentKey.create(Integer.class);

    private final int maxBytes;
    private final HttpHandler next;

    ReadBody(int maxBytes, HttpHandler next) {
        this.maxBytes = maxBytes;
        this.next = next;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        exchange.putAttachment(LIMIT, maxBytes);
        var receiver = exchange.getRequestReceiver();
        receiver.setMaxBufferSize(maxBytes);
        receiver.receiveFullBytes((done, bytes) -> {
            done.putAttachment(BODY, bytes);
            try {
                next.handleRequest(done);
            } catch (Throwable failure) {
                Errors.send(done, failure);
            }
        }, Errors::send);
    }
}
