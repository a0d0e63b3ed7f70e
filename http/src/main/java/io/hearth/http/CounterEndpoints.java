package io.hearth.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hearth.SharedCounter;
import io.hearth.SharedStore;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The seed's /increment, /report and /reset, and /counters/{name}. Input is checked before any
 * store call, so a refused request never claims a counter name; reads, resets and deletes never
 * claim one either (a counter nobody wrote reads 0), only writes do.
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

    HttpHandler get() {
        return exchange -> {
            String name = Requests.name(exchange, "name", "counter name");
            value(exchange, name, read(name));
        };
    }

    HttpHandler add() {
        return exchange -> {
            String name = Requests.name(exchange, "name", "counter name");
            long by = Requests.longQuery(exchange, "by", 1, Long.MIN_VALUE, Long.MAX_VALUE);
            value(exchange, name, counter(name).addAndGet(by));
        };
    }

    HttpHandler set() {
        return exchange -> {
            String name = Requests.name(exchange, "name", "counter name");
            JsonNode body = Requests.json(exchange, mapper);
            if (!body.isIntegralNumber() || !body.canConvertToLong()) {
                throw HttpError.badRequest("the body must be a whole number from " + Long.MIN_VALUE + " to " + Long.MAX_VALUE
                        + ", such as 42");
            }
            counter(name).set(body.longValue());
            value(exchange, name, body.longValue());
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

    private void value(HttpServerExchange exchange, String name, long value) {
        Replies.json(exchange, 200, mapper, mapper.createObjectNode().put("name", name).put("value", value));
    }
}
