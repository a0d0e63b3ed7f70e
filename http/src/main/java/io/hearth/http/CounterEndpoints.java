package io.hearth.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hearth.SharedCounter;
import io.hearth.SharedStore;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The seed's /increment, /report and /reset, and /counters/{name}. Input is checked before any
 * store call, so a refused request never claims a counter name; reads, resets and deletes never
 * claim one either (a counter nobody wrote reads 0), only writes do.
 *
 * <p>A write with a {@code ttl} uses {@link SharedStore#counter(String, Duration)}: a counter it
 * creates (first, or again after it expired or was removed) expires ttl after, in the same step, so
 * a fixed window is one request and no crash leaves a window that never closes; a counter that
 * exists keeps its expiry. Such a handle carries its time to live, so it never enters {@link #known}
 * (whose handles create counters that do not expire), and the request always leaves the IO thread:
 * each new window names the counter again, which can wait on another process naming one.
 */
final class CounterEndpoints {
    static final String DEFAULT_KEY = "count";

    private final SharedStore store;
    private final ObjectMapper mapper;
    private final long pid = ProcessHandle.current().pid();
    /** Counters this process has used: bounded by the store's counter slots, since only claimed names enter. */
    private final Map<String, SharedCounter> known = new ConcurrentHashMap<>();
    /** On the file store a known counter is one instruction on mapped memory; elsewhere it is a round trip. */
    private final boolean inMemory;

    CounterEndpoints(SharedStore store, ObjectMapper mapper) {
        this.store = store;
        this.mapper = mapper;
        this.inMemory = store.isMemoryMapped();
    }

    HttpHandler increment() {
        return exchange -> report(exchange, seedCounter(exchange).incrementAndGet());
    }

    HttpHandler report() {
        return exchange -> report(exchange, read(seedName(exchange)));
    }

    HttpHandler reset() {
        return exchange -> {
            existing(seedName(exchange)).ifPresent(counter -> counter.set(0));
            report(exchange, 0);
        };
    }

    /** The value, then what is left of its time to live: two reads, the second as of just after the first. */
    HttpHandler get() {
        return exchange -> {
            String name = Requests.name(exchange, "name", "counter name");
            Optional<SharedCounter> found = existing(name);
            long value = found.map(SharedCounter::get).orElse(0L);
            value(exchange, name, value, found.flatMap(SharedCounter::timeToLive));
        };
    }

    /**
     * Adds by, and with {@code limit} is a fixed-window rate limit in one request: a new value over
     * the limit is 429 with {@code Retry-After} (the seconds until the counter expires, rounded up).
     * The refused request has been counted, as with Redis's INCR then EXPIRE: refusals need no
     * second write, and a client that keeps knocking stays refused until the window ends.
     */
    HttpHandler add() {
        return exchange -> {
            String name = Requests.name(exchange, "name", "counter name");
            long by = Requests.longQuery(exchange, "by", 1, Long.MIN_VALUE, Long.MAX_VALUE);
            Optional<Duration> ttl = TimeToLiveParameter.of(exchange);
            OptionalLong limit = limit(exchange);
            SharedCounter counter = ttl.map(t -> store.counter(name, t)).orElseGet(() -> counter(name));
            long value = counter.addAndGet(by);
            Optional<Duration> left = counter.timeToLive();
            if (limit.isPresent() && value > limit.getAsLong()) {
                throw rateLimited(name, value, limit.getAsLong(), left);
            }
            value(exchange, name, value, left);
        };
    }

    /**
     * Sets the value. With a ttl the counter then expires ttl from now, whether this request created
     * it or not (it was created expiring, so a crash between the two steps leaves no counter that
     * never expires); without one it keeps the expiry it has.
     */
    HttpHandler set() {
        return exchange -> {
            String name = Requests.name(exchange, "name", "counter name");
            Optional<Duration> ttl = TimeToLiveParameter.of(exchange);
            JsonNode body = Requests.json(exchange, mapper);
            if (!body.isIntegralNumber() || !body.canConvertToLong()) {
                throw HttpError.badRequest("the body must be a whole number from " + Long.MIN_VALUE + " to " + Long.MAX_VALUE
                        + ", such as 42");
            }
            SharedCounter counter = ttl.map(t -> store.counter(name, t)).orElseGet(() -> counter(name));
            counter.set(body.longValue());
            ttl.ifPresent(counter::expire);
            value(exchange, name, body.longValue(), counter.timeToLive());
        };
    }

    /** Removes the counter and frees its name, in every worker; a later write creates it again from zero. */
    HttpHandler delete() {
        return exchange -> {
            String name = Requests.name(exchange, "name", "counter name");
            store.removeCounter(name);
            known.remove(name);
            Replies.noContent(exchange);
        };
    }

    /** A counter's value without creating it: reads of made-up names must not use up counter names. */
    private long read(String name) {
        return existing(name).map(SharedCounter::get).orElse(0L);
    }

    private Optional<SharedCounter> existing(String name) {
        SharedCounter counter = known.get(name);
        if (counter != null) {
            return Optional.of(counter);
        }
        Optional<SharedCounter> found = store.findCounter(name);
        found.ifPresent(c -> known.putIfAbsent(name, c));
        return found;
    }

    private SharedCounter seedCounter(HttpServerExchange exchange) {
        return counter(seedName(exchange));
    }

    private static String seedName(HttpServerExchange exchange) {
        return Requests.checkName(Requests.query(exchange, "key", DEFAULT_KEY), "key");
    }

    /**
     * Whether the seed route's counter can be served without blocking: its slot is known (a first
     * use claims a slot and may wait on another process naming one), or the request is refused anyway.
     * Never for a store across the network (Redis), whose calls wait up to its timeout.
     */
    Predicate<HttpServerExchange> seedCannotBlock() {
        return exchange -> cannotBlock(() -> seedName(exchange));
    }

    /** As {@link #seedCannotBlock()}, for /counters/{name}. */
    Predicate<HttpServerExchange> cannotBlock() {
        return exchange -> cannotBlock(() -> Requests.name(exchange, "name", "counter name"));
    }

    /** As {@link #cannotBlock()}, for an add; one with a ttl (even a refused one) always leaves the IO thread. */
    Predicate<HttpServerExchange> addCannotBlock() {
        Predicate<HttpServerExchange> known = cannotBlock();
        return exchange -> !TimeToLiveParameter.given(exchange) && known.test(exchange);
    }

    private boolean cannotBlock(Supplier<String> name) {
        if (!inMemory) {
            return false;
        }
        try {
            return known.containsKey(name.get());
        } catch (HttpError refused) {
            return true;
        }
    }

    private SharedCounter counter(String name) {
        SharedCounter counter = known.get(name);
        return counter != null ? counter : known.computeIfAbsent(name, store::counter);
    }

    private void report(HttpServerExchange exchange, long count) {
        Replies.json(exchange, 200, mapper, mapper.createObjectNode().put("count", count).put("current_process_id", pid));
    }

    private void value(HttpServerExchange exchange, String name, long value, Optional<Duration> left) {
        var body = mapper.createObjectNode().put("name", name).put("value", value);
        left.ifPresent(duration -> body.put("ttl_ms", duration.toMillis()));
        Replies.json(exchange, 200, mapper, body);
    }

    /** The {@code limit} query parameter: a rate limit's largest allowed value, 0 or more. */
    private static OptionalLong limit(HttpServerExchange exchange) {
        if (Requests.query(exchange, "limit", null) == null) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Requests.longQuery(exchange, "limit", 0, 0, Long.MAX_VALUE));
    }

    /** 429, with Retry-After when the counter expires: until then every request is counted and refused. */
    private static HttpError rateLimited(String name, long value, long limit, Optional<Duration> left) {
        Map<String, Long> fields = new LinkedHashMap<>();
        fields.put("value", value);
        fields.put("limit", limit);
        left.ifPresent(duration -> fields.put("ttl_ms", duration.toMillis()));
        String detail = "counter '" + name + "' is at " + value + ", over its limit of " + limit + " (this request was counted); "
                + left.map(duration -> "it expires in " + duration.toMillis() + " ms")
                        .orElse("it does not expire, so it stays over the limit until it is set, decremented or deleted");
        Map<HttpString, String> headers = left
                .map(duration -> Map.of(Headers.RETRY_AFTER, Long.toString(retryAfterSeconds(duration))))
                .orElse(Map.of());
        return new HttpError(429, "rate_limited", detail, headers, fields);
    }

    /** Whole seconds, rounded up and at least 1: a client that waits that long finds a new window. */
    static long retryAfterSeconds(Duration left) {
        return Math.max(1, (left.toMillis() + 999) / 1000);
    }
}
