package io.hearth.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hearth.EntrySnapshot;
import io.hearth.JsonBytes;
import io.hearth.SharedMap;
import io.hearth.SharedStore;
import io.hearth.Versioned;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.time.Duration;
import java.util.function.Predicate;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * /objects/{map}/{key}: JSON values with their version as ETag. Every write is a compare-and-put
 * at the version just read, so conditions (If-Match, If-None-Match) and merge patches hold
 * atomically across processes; a write that loses a race is re-read and re-judged. A value that
 * could not be stored, read back or answered is refused before anything is written. Values are
 * {@link JsonBytes}: a PUT's body is checked without building a tree and stored as it came, and a GET sends the stored
 * bytes as they are, from the read cache when the store proves them current, decoding nothing.
 * Only a PATCH reads the value as a tree, whose numbers keep their value ({@link JsonTrees}).
 *
 * <p>Expiry follows Redis: a PUT gives the entry the {@code ttl} it names, or none (as {@code SET}
 * does); a PATCH keeps the entry's deadline unless it names a {@code ttl} (as {@code SET ... KEEPTTL}),
 * since a client patching a session should not make it immortal by accident. What is left of an
 * entry's time to live is the {@link #TIME_TO_LIVE} header, never {@code Expires} or
 * {@code Cache-Control: max-age}: those would invite caches to keep a value that any write may change.
 */
final class ObjectEndpoints {
    static final String MERGE_PATCH = "application/merge-patch+json";
    /** Milliseconds left before the entry expires; absent when it does not expire. */
    static final HttpString TIME_TO_LIVE = HttpString.tryFromString("Hearth-TTL-Ms");
    private static final int MAX_ATTEMPTS = 10_000;
    private static final int MAX_LIST = 1000;
    /** The entry {@link #cachedGetCannotBlock} found proven in the read cache, for {@link #get} to answer. */
    @SuppressWarnings("rawtypes")
    private static final AttachmentKey<EntrySnapshot> CACHED = AttachmentKey.create(EntrySnapshot.class);

    private final SharedStore store;
    private final ObjectMapper mapper;
    private final ObjectWatches watches;

    ObjectEndpoints(SharedStore store, ObjectMapper mapper) {
        this.store = store;
        this.mapper = mapper;
        this.watches = new ObjectWatches(watchAnswer());
    }

    /**
     * The value, then what is left of its time to live: two reads, so the header is as of the
     * second, and a write between them (rare, and as if it came just after the read) would show
     * the new entry's. With {@code ?watch=VERSION}, a long poll ({@link ObjectWatches}).
     */
    HttpHandler get() {
        return exchange -> {
            @SuppressWarnings("unchecked")
            EntrySnapshot<JsonBytes> cached = exchange.removeAttachment(CACHED);
            if (cached != null) {
                answerCached(exchange, cached);
                return;
            }
            SharedMap<JsonBytes> map = map(exchange);
            String key = Requests.key(exchange, "key");
            if (ObjectWatches.asked(exchange)) {
                long known = ObjectWatches.knownVersion(exchange);
                watches.await(exchange, map, key, known, ObjectWatches.timeout(exchange));
                return;
            }
            Versioned<JsonBytes> current = map.getVersioned(key);
            EntityTags noneMatch = EntityTags.parse(exchange, Headers.IF_NONE_MATCH, true);
            if (current == null) {
                throw HttpError.notFound("no entry '" + key + "' in map '" + map.name() + "'");
            }
            if (noneMatch != null && noneMatch.matches(current)) {
                notModified(exchange, map, key, current);
                return;
            }
            answer(exchange, map, key, current);
        };
    }

    /**
     * Whether a GET can be answered on the IO thread: the worker's read cache holds the entry and
     * proves it current without a lock ({@link SharedMap#cachedSnapshot}); that entry is attached
     * for {@link #get}. A watch, a bad request, or anything not proven so goes to a worker thread.
     */
    Predicate<HttpServerExchange> cachedGetCannotBlock() {
        return exchange -> {
            if (ObjectWatches.asked(exchange)) {
                return false;
            }
            EntrySnapshot<JsonBytes> cached;
            try {
                cached = map(exchange).cachedSnapshot(Requests.key(exchange, "key"));
            } catch (RuntimeException refused) {
                return false; // answered, with the reason, from the worker thread
            }
            if (cached == null) {
                return false;
            }
            exchange.putAttachment(CACHED, cached);
            return true;
        };
    }

    /** As {@link #answer} or {@link #notModified}, from one cached read: value, version and expiry together. */
    private static void answerCached(HttpServerExchange exchange, EntrySnapshot<JsonBytes> cached) {
        EntityTags noneMatch = EntityTags.parse(exchange, Headers.IF_NONE_MATCH, true);
        exchange.getResponseHeaders().put(Headers.ETAG, EntityTags.of(cached.version()));
        if (cached.expiresAt() != null) {
            timeToLiveHeader(exchange, Optional.of(Duration.ofMillis(
                    Math.max(1, cached.expiresAt().toEpochMilli() - System.currentTimeMillis()))));
        }
        if (noneMatch != null && noneMatch.matches(new Versioned<>(cached.value(), cached.version()))) {
            exchange.setStatusCode(304);
            exchange.endExchange();
            return;
        }
        Replies.bytes(exchange, "application/json", cached.value().asReadOnlyBuffer());
    }

    /** The entry with its ETag and time to live, 200. */
    private void answer(HttpServerExchange exchange, SharedMap<JsonBytes> map, String key, Versioned<JsonBytes> current) {
        exchange.getResponseHeaders().put(Headers.ETAG, EntityTags.of(current.version()));
        timeToLiveHeader(exchange, map.timeToLive(key));
        Replies.bytes(exchange, "application/json", current.value().asReadOnlyBuffer());
    }

    /** 304, with the entry's ETag and time to live when it exists. */
    private static void notModified(HttpServerExchange exchange, SharedMap<JsonBytes> map, String key,
                                    Versioned<JsonBytes> current) {
        if (current != null) {
            exchange.getResponseHeaders().put(Headers.ETAG, EntityTags.of(current.version()));
            timeToLiveHeader(exchange, map.timeToLive(key));
        }
        exchange.setStatusCode(304);
        exchange.endExchange();
    }

    /** What a watch answers with: the GET's answer once the entry is past the version the client knows. */
    private ObjectWatches.Answer watchAnswer() {
        return new ObjectWatches.Answer() {
            @Override
            public boolean ifChanged(HttpServerExchange exchange, SharedMap<JsonBytes> map, String key, long known) {
                Versioned<JsonBytes> current = map.getVersioned(key);
                if (current == null ? known == SharedMap.ABSENT : current.version() == known) {
                    return false;
                }
                if (current == null) {
                    Errors.send(exchange, HttpError.notFound("no entry '" + key + "' in map '" + map.name() + "'"));
                } else {
                    answer(exchange, map, key, current);
                }
                return true;
            }

            @Override
            public void unchanged(HttpServerExchange exchange, SharedMap<JsonBytes> map, String key) {
                notModified(exchange, map, key, map.getVersioned(key));
            }
        };
    }

    /** Answers every waiting watch now: the worker is stopping. */
    void closeWatches() {
        watches.close();
    }

    HttpHandler put() {
        return exchange -> {
            String key = Requests.key(exchange, "key");
            SharedMap<JsonBytes> map = map(exchange);
            EntityTags match = EntityTags.parse(exchange, Headers.IF_MATCH, false);
            EntityTags noneMatch = EntityTags.parse(exchange, Headers.IF_NONE_MATCH, true);
            Expiry expiry = TimeToLiveParameter.of(exchange).map(ObjectEndpoints::expiringAfter).orElse(NEVER);
            Next value = new Next(Requests.jsonBytes(exchange, mapper), null);
            write(exchange, map, key, match, noneMatch, expiry, current -> value);
        };
    }

    HttpHandler patch() {
        return exchange -> {
            String key = Requests.key(exchange, "key");
            SharedMap<JsonBytes> map = map(exchange);
            String type = exchange.getRequestHeaders().getFirst(Headers.CONTENT_TYPE);
            if (type == null || !type.split(";", 2)[0].trim().equalsIgnoreCase(MERGE_PATCH)) {
                throw new HttpError(415, "unsupported_media_type", "PATCH takes a JSON merge patch (RFC 7396) with Content-Type: "
                        + MERGE_PATCH + ", not " + (type == null ? "none" : Requests.printable(type)),
                        Map.of(HttpString.tryFromString("Accept-Patch"), MERGE_PATCH));
            }
            EntityTags match = EntityTags.parse(exchange, Headers.IF_MATCH, false);
            EntityTags noneMatch = EntityTags.parse(exchange, Headers.IF_NONE_MATCH, true);
            Expiry expiry = TimeToLiveParameter.of(exchange).map(ObjectEndpoints::expiringAfter).orElse(KEPT);
            JsonNode patch = Requests.json(exchange, mapper);
            write(exchange, map, key, match, noneMatch, expiry, current -> {
                JsonNode merged = MergePatch.apply(current == null ? null : tree(current), patch);
                checkDepth(merged);
                return new Next(bytesOf(merged), merged); // a patch's client has not seen the merged result
            });
        };
    }

    HttpHandler delete() {
        return exchange -> {
            String key = Requests.key(exchange, "key");
            SharedMap<JsonBytes> map = map(exchange);
            EntityTags match = EntityTags.parse(exchange, Headers.IF_MATCH, false);
            for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
                Versioned<JsonBytes> current = map.getVersioned(key);
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
            SharedMap<JsonBytes> map = map(exchange);
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
        Next apply(JsonBytes current);
    }

    /** What a write stores, and the value its answer carries (null for none). */
    private record Next(JsonBytes stored, JsonNode echo) {
    }

    /** A stored value as a tree whose numbers keep their value. */
    private JsonNode tree(JsonBytes value) {
        try (JsonParser parser = mapper.createParser(value.toByteArray())) {
            return JsonTrees.read(parser);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("a stored value does not read as JSON: " + e.getMessage(), e);
        }
    }

    private JsonBytes bytesOf(JsonNode tree) {
        try {
            return JsonBytes.of(mapper.writeValueAsBytes(tree));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree does not write: " + e.getMessage(), e); // a bug: 500
        }
    }

    /** What a write does to the entry's expiry, and what its answer says is left of it. */
    private interface Expiry {
        /** {@link SharedMap#compareAndPut}: the new version, or 0 when the entry was not at expected. */
        long write(SharedMap<JsonBytes> map, String key, long expected, JsonBytes value);

        Optional<Duration> left(SharedMap<JsonBytes> map, String key);
    }

    /** A PUT without ttl: the entry no longer expires, as after Redis's SET. */
    private static final Expiry NEVER = new Expiry() {
        @Override
        public long write(SharedMap<JsonBytes> map, String key, long expected, JsonBytes value) {
            return map.compareAndPut(key, expected, value);
        }

        @Override
        public Optional<Duration> left(SharedMap<JsonBytes> map, String key) {
            return Optional.empty();
        }
    };

    /** A PATCH without ttl: the entry keeps its deadline (SET ... KEEPTTL); read back after the write to answer it. */
    private static final Expiry KEPT = new Expiry() {
        @Override
        public long write(SharedMap<JsonBytes> map, String key, long expected, JsonBytes value) {
            return map.compareAndPutKeepingExpiry(key, expected, value);
        }

        @Override
        public Optional<Duration> left(SharedMap<JsonBytes> map, String key) {
            return map.timeToLive(key);
        }
    };

    /** A write with ttl: the entry expires ttl after it, which is what is left as of the write. */
    private static Expiry expiringAfter(Duration ttl) {
        return new Expiry() {
            @Override
            public long write(SharedMap<JsonBytes> map, String key, long expected, JsonBytes value) {
                return map.compareAndPut(key, expected, value, ttl);
            }

            @Override
            public Optional<Duration> left(SharedMap<JsonBytes> map, String key) {
                return Optional.of(ttl);
            }
        };
    }

    private static void timeToLiveHeader(HttpServerExchange exchange, Optional<Duration> left) {
        left.ifPresent(duration -> exchange.getResponseHeaders().put(TIME_TO_LIVE, duration.toMillis()));
    }

    private void write(HttpServerExchange exchange, SharedMap<JsonBytes> map, String key, EntityTags match,
                       EntityTags noneMatch, Expiry expiry, Change change) {
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            Versioned<JsonBytes> current = map.getVersioned(key);
            if (match != null && !match.matches(current)) {
                throw HttpError.preconditionFailed("the entry is not at the version If-Match names"
                        + (current == null ? "; it does not exist" : "; it is at " + EntityTags.of(current.version())));
            }
            if (noneMatch != null && (noneMatch.any() ? current != null : noneMatch.matches(current))) {
                throw HttpError.preconditionFailed("the entry matches If-None-Match"
                        + (current == null ? "" : "; it is at " + EntityTags.of(current.version())));
            }
            Next next = change.apply(current == null ? null : current.value());
            // The store refuses a value over its size limit before writing (413).
            long version = expiry.write(map, key, current == null ? SharedMap.ABSENT : current.version(), next.stored());
            if (version != 0) {
                exchange.getResponseHeaders().put(Headers.ETAG, EntityTags.of(version));
                timeToLiveHeader(exchange, expiry.left(map, key));
                var body = mapper.createObjectNode();
                body.put("map", map.name());
                body.put("key", key);
                body.put("version", version);
                if (next.echo() != null) {
                    body.set("value", next.echo());
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

    private SharedMap<JsonBytes> map(HttpServerExchange exchange) {
        return store.map(mapName(exchange), JsonBytes.class);
    }

    private static String mapName(HttpServerExchange exchange) {
        return Requests.name(exchange, "map", "map name");
    }
}
