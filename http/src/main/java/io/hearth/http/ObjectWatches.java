package io.hearth.http;

import io.hearth.Change;
import io.hearth.JsonBytes;
import io.hearth.SharedMap;
import io.hearth.Subscription;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.SameThreadExecutor;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.xnio.XnioExecutor;

/**
 * Long polls of {@code GET /objects/{map}/{key}?watch=VERSION}: the answer waits until the entry
 * is past VERSION (written at a later version, or removed), then is the usual GET's (200 with the
 * value and its ETag, or 404); when nothing changed within {@code timeout} (default 30 s, at most
 * 5 min) it is 304 Not Modified with the entry's ETag, and the client asks again. A waiting request
 * holds no thread: it is parked on its exchange, woken by the map's {@link SharedMap#watch} (one
 * per map with waiters, on the store's change delivery thread) or by its timer on the IO thread,
 * and answered on a worker thread. Bounded: at most {@link #MAX_WAITERS} waiting requests and
 * {@link #MAX_MAPS} maps watched at once, past which it answers 503.
 */
final class ObjectWatches implements AutoCloseable {
    static final String PARAMETER = "watch";
    static final String TIMEOUT_PARAMETER = "timeout";
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    static final Duration MAX_TIMEOUT = Duration.ofMinutes(5);
    static final int MAX_WAITERS = 10_000;
    static final int MAX_MAPS = 256;
    private static final Pattern VERSION = Pattern.compile("[0-9]{1,18}");

    /** What answers a woken request: the usual GET's answer when the entry is past the version known, else none. */
    interface Answer {
        /** Answers and returns true when the entry is past known; false, answering nothing, when it is not. */
        boolean ifChanged(HttpServerExchange exchange, SharedMap<JsonBytes> map, String key, long known);

        /** Answers 304 with the entry's ETag: nothing changed. */
        void unchanged(HttpServerExchange exchange, SharedMap<JsonBytes> map, String key);
    }

    private final Answer answer;
    /** Waiting requests by map, then key. */
    private final Map<String, MapWaiters> maps = new ConcurrentHashMap<>();
    private final AtomicInteger waiting = new AtomicInteger();
    private volatile boolean closed;

    ObjectWatches(Answer answer) {
        this.answer = answer;
    }

    /** Whether the request asks to wait for a change. */
    static boolean asked(HttpServerExchange exchange) {
        return exchange.getQueryParameters().containsKey(PARAMETER);
    }

    /** The version the request knows, checked before any store call. */
    static long knownVersion(HttpServerExchange exchange) {
        String text = Requests.query(exchange, PARAMETER, "");
        if (!VERSION.matcher(text).matches()) {
            throw HttpError.badRequest("query parameter '" + PARAMETER + "' is '" + Requests.printable(text) + "'; it takes the"
                    + " version the client has (the number in the ETag it was given, 0 for an absent entry), and the"
                    + " answer waits until the entry is past it");
        }
        return Long.parseLong(text);
    }

    /** How long the request may wait, checked before any store call. */
    static Duration timeout(HttpServerExchange exchange) {
        String text = Requests.query(exchange, TIMEOUT_PARAMETER, null);
        if (text == null) {
            return DEFAULT_TIMEOUT;
        }
        Duration timeout;
        try {
            timeout = TimeToLiveParameter.parse(text);
        } catch (HttpError malformed) {
            timeout = null;
        }
        if (timeout == null || timeout.compareTo(MAX_TIMEOUT) > 0) {
            throw HttpError.badRequest("query parameter '" + TIMEOUT_PARAMETER + "' is '" + Requests.printable(text)
                    + "'; a watch waits from 1 ms to " + MAX_TIMEOUT.toMinutes() + " minutes, written as a whole number with"
                    + " a unit ms, s or m (a bare number is seconds), such as 30s");
        }
        return timeout;
    }

    /**
     * Answers now when the entry is past known; otherwise parks the exchange until it is, or the
     * timeout passes. The map's watch starts before the entry is read again, so no change is missed
     * between the two.
     */
    void await(HttpServerExchange exchange, SharedMap<JsonBytes> map, String key, long known, Duration timeout) {
        if (answer.ifChanged(exchange, map, key, known)) {
            return;
        }
        if (closed) {
            answer.unchanged(exchange, map, key);
            return;
        }
        if (waiting.incrementAndGet() > MAX_WAITERS) {
            waiting.decrementAndGet();
            throw new HttpError(503, "too_many_watches", "this worker holds " + MAX_WAITERS
                    + " waiting watches already, its limit; retry later or ask another worker");
        }
        Waiter waiter;
        try {
            MapWaiters mapWaiters = waitersOf(map);
            waiter = new Waiter(exchange, map, key, known, mapWaiters);
            mapWaiters.add(waiter);
        } catch (RuntimeException e) {
            waiting.decrementAndGet();
            throw e;
        }
        exchange.dispatch(SameThreadExecutor.INSTANCE, () -> {
            exchange.getConnection().addCloseListener(connection -> waiter.drop());
            waiter.timer = exchange.getIoThread().executeAfter(() -> waiter.wake(Wake.TIMEOUT), timeout.toMillis(),
                    TimeUnit.MILLISECONDS);
            waiter.wake(Wake.RECHECK); // a change between the first read and the watch's start
        });
    }

    private MapWaiters waitersOf(SharedMap<JsonBytes> map) {
        MapWaiters existing = maps.get(map.name());
        if (existing != null) {
            return existing;
        }
        synchronized (maps) {
            existing = maps.get(map.name());
            if (existing != null) {
                return existing;
            }
            if (maps.size() >= MAX_MAPS) {
                throw new HttpError(503, "too_many_watches", "this worker watches " + MAX_MAPS
                        + " maps already, its limit; retry later");
            }
            MapWaiters created = new MapWaiters(map);
            maps.put(map.name(), created);
            try {
                created.subscription = map.watch("", created::changed);
            } catch (UnsupportedOperationException e) {
                maps.remove(map.name());
                throw new HttpError(501, "not_implemented", "this store cannot be watched: " + e.getMessage());
            }
            return created;
        }
    }

    /** Answers every waiting request now (304 unless its entry changed), closing their connections: the worker is stopping. */
    @Override
    public void close() {
        closed = true;
        for (MapWaiters mapWaiters : maps.values()) {
            mapWaiters.waiters.values().forEach(set -> set.forEach(waiter -> waiter.wake(Wake.CLOSING)));
        }
    }

    /** Why a waiting request is woken. */
    private enum Wake {
        /** A change to its key past the version it knows: answered. */
        CHANGE,
        /** Changes may have been missed (a gap), or it just started waiting: answered only if the entry changed. */
        RECHECK,
        /** Its time is up: answered, 304 if nothing changed. */
        TIMEOUT,
        /** The worker is stopping: answered as on a timeout, and its connection closed. */
        CLOSING
    }

    /** The waiting requests of one map, and the map's watch. */
    private final class MapWaiters {
        private final SharedMap<JsonBytes> map;
        private final Map<String, Set<Waiter>> waiters = new ConcurrentHashMap<>();
        private volatile Subscription subscription;

        MapWaiters(SharedMap<JsonBytes> map) {
            this.map = map;
        }

        void add(Waiter waiter) {
            waiters.computeIfAbsent(waiter.key, k -> ConcurrentHashMap.newKeySet()).add(waiter);
        }

        void remove(Waiter waiter) {
            waiters.computeIfPresent(waiter.key, (k, set) -> {
                set.remove(waiter);
                return set.isEmpty() ? null : set;
            });
        }

        void changed(Change<JsonBytes> change) {
            if (change.isGap()) {
                waiters.values().forEach(set -> set.forEach(waiter -> waiter.wake(Wake.RECHECK)));
                return;
            }
            Set<Waiter> forKey = waiters.get(change.key());
            if (forKey != null) {
                for (Waiter waiter : forKey) {
                    if (change.version() > waiter.known) {
                        waiter.wake(Wake.CHANGE);
                    }
                }
            }
        }
    }

    /** One parked request. */
    private final class Waiter {
        private final HttpServerExchange exchange;
        private final SharedMap<JsonBytes> map;
        private final String key;
        private final long known;
        private final MapWaiters owner;
        private final AtomicBoolean done = new AtomicBoolean();
        private volatile XnioExecutor.Key timer;

        Waiter(HttpServerExchange exchange, SharedMap<JsonBytes> map, String key, long known, MapWaiters owner) {
            this.exchange = exchange;
            this.map = map;
            this.key = key;
            this.known = known;
            this.owner = owner;
        }

        void wake(Wake why) {
            if (done.get()) {
                return;
            }
            exchange.getConnection().getWorker().execute(() -> answer(why));
        }

        /** On a worker thread: reads the entry and answers, unless a recheck finds it unchanged. Answers once. */
        private synchronized void answer(Wake why) {
            if (done.get()) {
                return;
            }
            try {
                if (why == Wake.RECHECK) {
                    if (answer.ifChanged(exchange, map, key, known)) {
                        finish();
                    }
                    return;
                }
                finish();
                if (why == Wake.CLOSING) {
                    exchange.setPersistent(false);
                }
                if (!answer.ifChanged(exchange, map, key, known)) {
                    answer.unchanged(exchange, map, key);
                }
            } catch (Throwable failure) {
                if (!done.get()) {
                    finish();
                }
                Errors.send(exchange, failure);
            }
        }

        /** Stops waiting: the client went away. */
        synchronized void drop() {
            if (!done.get()) {
                finish();
            }
        }

        /** Marks it answered (or dropped) and lets go of its place and its timer; once, holding this. */
        private void finish() {
            done.set(true);
            owner.remove(this);
            waiting.decrementAndGet();
            XnioExecutor.Key scheduled = timer;
            if (scheduled != null) {
                scheduled.remove();
            }
        }
    }
}
