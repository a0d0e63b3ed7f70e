package io.hearth.http;

import io.undertow.util.HttpString;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A failure to answer with this status and JSON body; thrown by handlers, written by {@link Errors}.
 * Besides {@code error} and {@code detail} the body may carry numbers a client acts on without
 * parsing the detail (a rate limit's value and limit).
 */
final class HttpError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String error;
    private final transient Map<HttpString, String> headers;
    private final transient Map<String, Long> fields;

    HttpError(int status, String error, String detail) {
        this(status, error, detail, Map.of());
    }

    HttpError(int status, String error, String detail, Map<HttpString, String> headers) {
        this(status, error, detail, headers, Map.of());
    }

    /** @param fields numbers the body carries after error and detail, in this map's order */
    HttpError(int status, String error, String detail, Map<HttpString, String> headers, Map<String, Long> fields) {
        super(detail, null, false, false); // an answer, not a bug: no stack trace
        this.status = status;
        this.error = error;
        this.headers = Map.copyOf(headers);
        this.fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    static HttpError badRequest(String detail) {
        return new HttpError(400, "bad_request", detail);
    }

    static HttpError notFound(String detail) {
        return new HttpError(404, "not_found", detail);
    }

    static HttpError preconditionFailed(String detail) {
        return new HttpError(412, "precondition_failed", detail);
    }

    int status() {
        return status;
    }

    String error() {
        return error;
    }

    String detail() {
        return getMessage();
    }

    Map<HttpString, String> headers() {
        return headers;
    }

    Map<String, Long> fields() {
        return fields;
    }
}
