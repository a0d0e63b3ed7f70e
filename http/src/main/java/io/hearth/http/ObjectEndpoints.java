package io.hearth.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hearth.SharedMap;
import io.hearth.SharedStore;
import io.hearth.Versioned;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.util.List;
import java.util.Map;

/**
 * /objects/{map}/{key}: JSON values with their version as ETag. Every write is a compare-and-put
 * at the version just read, so conditions (If-Match, If-None-Match) and merge patches hold
 * atomically across processes; a write that loses a race is re-read and re-judged. A value that
 * could not be stored, read back or answered is refused before anything is written. Values are
 * {@link StoredValue}s, so numbers keep their value ({@link JsonTrees}).
 */
final class ObjectEndpoints {
    static final String MERGE_PATCH = "application/merge-patch+json";
    private static final int MAX_ATTEMPTS = 10_000;
    private static final int MAX_LIST = 1000;

    private final SharedStore store;
    private final ObjectMapper mapper;

    ObjectEndpoints(SharedStore store, ObjectMapper mapper) {
        this.store = store;
        this.mapper = mapper;
    }

    HttpHandler get() {
        return exchange -> {
            Versioned<StoredValue> current = map(exchange).getVersioned(Requests.key(exchange, "key"));
            EntityTags noneMatch = EntityTags.parse(exchange, Headers.IF_NONE_MATCH, true);
            if (current == null) {
                throw HttpError.notFound("no entry '" + Requests.key(exchange, "key") + "' in map '" + mapName(exchange) + "'");
            }
            exchange.getResponseHeaders().put(Headers.ETAG, EntityTags.of(current.version()));
            if (noneMatch != null && noneMatch.matches(current)) {
                exchange.setStatusCode(304);
                exchange.endExchange();
                return;
            }
            Replies.json(exchange, 200, mapper, current.value().tree());
        };
    }

    HttpHandler put() {
        return exchange -> {
            String key = Requests.key(exchange, "key");
            SharedMap<StoredValue> map = map(exchange);
            EntityTags match = EntityTags.parse(exchange, Headers.IF_MATCH, false);
            EntityTags noneMatch = EntityTags.parse(exchange, Headers.IF_NONE_MATCH, true);
            JsonNode value = Requests.json(exchange, mapper);
            write(exchange, map, key, match, noneMatch, false, current -> value);
        };
    }

    HttpHandler patch() {
        return exchange -> {
            String key = Requests.key(exchange, "key");
            SharedMap<StoredValue> map = map(exchange);
            String type = exchange.getRequestHeaders().getFirst(Headers.CONTENT_TYPE);
            if (type == null || !type.split(";", 2)[0].trim().equalsIgnoreCase(MERGE_PATCH)) {
                throw new HttpError(415, "unsupported_media_type", "PATCH takes a JSON merge patch (RFC 7396) with Content-Type: "
                        + MERGE_PATCH + ", not " + (type == null ? "none" : Requests.printable(type)),
                        Map.of(HttpString.tryFromString("Accept-Patch"), MERGE_PATCH));
            }
            EntityTags match = EntityTags.parse(exchange, Headers.IF_MATCH, false);
            EntityTags noneMatch = EntityTags.parse(exchange, Headers.IF_NONE_MATCH, true);
            JsonNode patch = Requests.json(exchange, mapper);
            write(exchange, map, key, match, noneMatch, true, current -> MergePatch.apply(current, patch));
        };
    }

    HttpHandler delete() {
        return exchange -> {
            String key = Requests.key(exchange, "key");
            SharedMap<StoredValue> map = map(exchange);
            EntityTags match = EntityTags.parse(exchange, Headers.IF_MATCH, false);
            for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
                Versioned<StoredValue> current = map.getVersioned(key);
                if (match != null && !match.matches(current)) {
                    throw HttpError.preconditionFailed("the entry is not at the version If-Match names"
                            + (current == null ? "; it does not exist" : "; it is at " + EntityTags.of(current.version())));
                }
                if (current == null) {
                    throw HttpError.notFound("no entry '" + key + "' in map '" + map.name() + "'");
                }
                if (map.compareAndRemove(key, current.version())) {
                    Replies.noContent(exchange);
                    return;
                }
            }
            throw contended(key);
        };
    }

    HttpHandler list() {
        return exchange -> {
            SharedMap<StoredValue> map = map(exchange);
            String prefix = Requests.prefix(exchange);
            int limit = (int) Requests.longQuery(exchange, "limit", 100, 1, MAX_LIST);
            List<String> keys = map.keys(prefix, limit + 1);
            var body = mapper.createObjectNode();
            body.put("map", map.name());
            var array = body.putArray("keys");
            keys.stream().limit(limit).forEach(array::add);
            body.put("truncated", keys.size() > limit);
            Replies.json(exchange, 200, mapper, body);
        };
    }

    private interface Change {
        JsonNode apply(JsonNode current);
    }

    private void write(HttpServerExchange exchange, SharedMap<StoredValue> map, String key, EntityTags match,
                       EntityTags noneMatch, boolean echo, Change change) {
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            Versioned<StoredValue> current = map.getVersioned(key);
            if (match != null && !match.matches(current)) {
                throw HttpError.preconditionFailed("the entry is not at the version If-Match names"
                        + (current == null ? "; it does not exist" : "; it is at " + EntityTags.of(current.version())));
            }
            if (noneMatch != null && (noneMatch.any() ? current != null : noneMatch.matches(current))) {
                throw HttpError.preconditionFailed("the entry matches If-None-Match"
                        + (current == null ? "" : "; it is at " + EntityTags.of(current.version())));
            }
            JsonNode next = change.apply(current == null ? null : current.value().tree());
            checkDepth(next);
            // The store refuses a value over its size limit, or one its mapper cannot write, before writing (400, 413).
            long version = map.compareAndPut(key, current == null ? SharedMap.ABSENT : current.version(), new StoredValue(next));
            if (version != 0) {
                exchange.getResponseHeaders().put(Headers.ETAG, EntityTags.of(version));
                var body = mapper.createObjectNode();
                body.put("map", map.name());
                body.put("key", key);
                body.put("version", version);
                if (echo) {
                    body.set("value", next); // a patch's client has not seen the merged result
                }
                Replies.json(exchange, current == null ? 201 : 200, mapper, body);
                return;
            }
        }
        throw contended(key);
    }

    /**
     * Refuses a value nested past {@link JsonTrees#MAX_DEPTH} before it is written: stored, it could
     * be read back, but the reply that carries it (a PATCH's) could not be written.
     */
    private static void checkDepth(JsonNode value) {
        int depth = JsonTrees.depth(value);
        if (depth > JsonTrees.MAX_DEPTH) {
            throw new HttpError(400, "too_deep", "the value would nest " + depth + " levels of arrays and objects;"
                    + " the limit is " + JsonTrees.MAX_DEPTH + " levels. Nothing was written");
        }
    }

    private static HttpError contended(String key) {
        return new HttpError(503, "contended", "entry '" + key + "' changed " + MAX_ATTEMPTS + " times while this request tried to write it; retry");
    }

    private SharedMap<StoredValue> map(HttpServerExchange exchange) {
        return store.map(mapName(exchange), StoredValue.class);
    }

    private static String mapName(HttpServerExchange exchange) {
        return Requests.name(exchange, "map", "map name");
    }
}
