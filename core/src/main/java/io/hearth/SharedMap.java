package io.hearth;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import com.fasterxml.jackson.databind.ObjectReader;
import io.hearth.internal.Json;
import io.hearth.internal.Names;
import io.hearth.internal.TimeToLive;
import io.hearth.spi.StoreBackend;
import io.hearth.spi.StoredEntry;
import io.hearth.spi.UpdateTurns;

/**
 * A named map from {@code String} keys to values of type {@code V}, shared by every process
 * attached to the store. Values are stored as JSON, so {@code V} is anything Jackson writes and
 * reads: records, POJOs, {@code Map}, {@code JsonNode}; or {@link JsonBytes}, JSON stored and read
 * back byte for byte, never decoded (the same entry may be read as both). Keys are compared exactly as strings, with no
 * Unicode normalization: an e with acute accent written as U+00E9 and as "e" followed by U+0301 makes two keys.
 *
 * <p>Every single-key operation is atomic across threads and processes, and visible to every other
 * process as soon as it returns. Each entry carries a {@link Versioned#version() version} that
 * grows with every write; {@link #compareAndPut} and {@link #compareAndRemove} write only at the
 * version the caller saw. {@link #update} runs the caller's function outside any lock and commits
 * with compare-and-set, retrying on conflict, so user code never holds up another process.
 *
 * <p>Listing ({@link #keys()}, {@link #entries()}, {@link #size()}) and {@link #clear()} walk the
 * store and are not atomic as a whole: entries written meanwhile may or may not be seen.
 *
 * <h2>Expiry</h2>
 * An entry may have a time to live: from its expiry time on it is gone for every read and every
 * conditional write in every process (an expired entry counts as absent), whether or not anything
 * has removed it yet; the store removes expired entries in the background. Expiry times are wall
 * clock: setting the clock forward expires entries early, setting it back keeps them longer. What
 * each write does to an entry's expiry, as Redis's {@code SET} and {@code KEEPTTL} do:
 * <ul>
 *   <li>{@link #put}, {@link #putIfAbsent} and {@link #compareAndPut} give the entry they write the
 *       time to live they are given, or else the map's default ({@link #withTimeToLive}; none
 *       unless set): a value replaced without one no longer expires, as after {@code SET}.</li>
 *   <li>{@link #update}, {@link #replace} and {@link #compareAndPutKeepingExpiry} keep the expiry the
 *       entry had (as {@code SET ... KEEPTTL});
 *       an entry they create gets the map's default.</li>
 *   <li>{@link #expire} and {@link #persist} change only the expiry: value and version stay.</li>
 * </ul>
 *
 * <h2>Reads and the read cache</h2>
 * Each process keeps a cache of decoded values per store (bounded, {@link SharedStore.Builder#readCacheBytes};
 * on the file store only). A cached value is returned only once the store proves, after the read
 * began, that it is still the entry's: either nothing in the store has changed since it was last
 * proven (the store's change stamp, one read of shared memory, no lock), or the entry still has its
 * version and expiry (a look-up under the key's lock, as any read). So a read never returns a
 * value older than the newest write acknowledged, in any process, before the read began, nor an
 * expired or removed entry. What a hit saves is the JSON decoding and the checksum verification
 * (the value was verified when it was read; damage to its version sends the read down the verified
 * path, docs/GUARANTEES.md), and, while nothing changes, the look-up.
 * <ul>
 *   <li><b>Which types are cached.</b> The cache hands one object to every reader, so it holds only
 *       values no caller can change: {@code String}, boxed numbers and {@code Boolean},
 *       {@code BigInteger}, {@code BigDecimal}, {@code UUID}, the {@code java.time} value classes,
 *       {@link JsonBytes}, enums, and records whose every component is a primitive or one of these (records
 *       included). Maps of any other type ({@code JsonNode}, {@code Map}, lists, arrays, classes with
 *       fields, records with such a component or a generic one) are read and decoded on every call,
 *       as without the cache: two reads never return the same mutable object.</li>
 *   <li><b>{@link #update}</b> passes its function the cached value when the entry still has its
 *       version, saving the decode. When the store reads with its own mapper (none given to the
 *       builder) and the type carries no Jackson annotation, the value the function returned is
 *       cached at the version written, as what a read of its JSON decodes to; the next update of the
 *       key in this process then decodes nothing either. The function still runs outside every lock.</li>
 *   <li>Decoding must be deterministic: the same JSON read as the same type gives an equal value.</li>
 *   <li>{@link SharedStore#stats()} reports the cache's hits, misses and size ({@link ReadCacheStats}).</li>
 * </ul>
 *
 * <p>Safe to share between threads. Obtain it from {@link SharedStore#map(String, Class)}.
 */
public final class SharedMap<V> {
    /** {@link #compareAndPut} expected version meaning "only if the key is absent". */
    public static final long ABSENT = StoreBackend.ABSENT;

    private final SharedStore store;
    private final StoreBackend backend;
    private final Json json;
    private final String name;
    private final Class<V> type;
    private final ObjectReader reader;
    private final int maxKeyBytes;
    /** This process's decoded values, when V is a type no caller can change; else null. */
    private final ReadCache cache;
    /** Whether a value update wrote may be cached as what a read of it decodes to (see ImmutableTypes.isPlain). */
    private final boolean cacheWrites;
    /** The time to live of writes that name none; null for none. */
    private final Duration defaultTimeToLive;

    SharedMap(SharedStore store, StoreBackend backend, Json json, String name, Class<V> type, int maxKeyBytes,
              ReadCache cache, boolean cacheWrites) {
        this(store, backend, json, name, type, json.readerFor(type), maxKeyBytes, cache, cacheWrites, null);
    }

    private SharedMap(SharedStore store, StoreBackend backend, Json json, String name, Class<V> type, ObjectReader reader,
                      int maxKeyBytes, ReadCache cache, boolean cacheWrites, Duration defaultTimeToLive) {
        this.store = store;
        this.backend = backend;
        this.json = json;
        this.name = name;
        this.type = type;
        this.reader = reader;
        this.maxKeyBytes = maxKeyBytes;
        this.cache = cache;
        this.cacheWrites = cacheWrites;
        this.defaultTimeToLive = defaultTimeToLive;
    }

    /**
     * This map, with a default time to live for the writes that give none ({@link #put(String, Object)},
     * {@link #putIfAbsent(String, Object)}, {@link #compareAndPut(String, long, Object)}, and entries
     * that {@link #update} creates). The entries are the same; only writes through the view differ.
     *
     * @throws IllegalArgumentException if timeToLive is not more than 0 and at most 100 years
     */
    public SharedMap<V> withTimeToLive(Duration timeToLive) {
        return new SharedMap<>(store, backend, json, name, type, reader, maxKeyBytes, cache, cacheWrites,
                TimeToLive.check(timeToLive));
    }

    /** The expiry time of a write that gives no time to live: the map's default, or none. */
    private long defaultExpiry() {
        return defaultTimeToLive == null ? StoreBackend.NO_EXPIRY : TimeToLive.expiresAt(defaultTimeToLive);
    }

    /** The map's name. */
    public String name() {
        return name;
    }

    /**
     * This map as a {@link ConcurrentMap}, for code written against {@code java.util}: the same entries
     * in every process, nothing held by the view (each call returns a new one; they are interchangeable).
     * <ul>
     *   <li>Every single-key method is atomic across threads and processes. {@code get},
     *       {@code containsKey}, {@code getOrDefault}, {@code remove(key)} and {@code putIfAbsent} are this
     *       map's. {@code compute}, {@code computeIfPresent} and {@code merge} are {@link #update}: the
     *       function runs outside every lock and may run more than once, again with the newer value when
     *       another writer got in first; when it throws, nothing is written. {@code computeIfAbsent} runs
     *       its function only for an absent key, once; if another writer creates the key meanwhile, that
     *       value is returned and the function's dropped. {@code put}, both {@code replace}s and
     *       {@code remove(key, value)} read the entry with its version and write at that version
     *       ({@link #compareAndPut}, {@link #compareAndRemove}), reading again on a conflict, so what
     *       they return or compare is exactly what they replaced.</li>
     *   <li>{@code replace(key, oldValue, newValue)} and {@code remove(key, value)} compare the decoded
     *       value with {@code equals} (not as JSON, unlike {@link #replace}): records, strings, numbers,
     *       {@code Map} and {@code JsonNode} compare by content; a class that does not override
     *       {@code equals} never matches.</li>
     *   <li>Expiry as this map's writes: {@code put} as {@link #put} (the default time to live of
     *       {@link #withTimeToLive}, or none); {@code compute}, {@code computeIfPresent}, {@code merge} and
     *       both {@code replace}s keep the entry's; an entry {@code compute}, {@code merge},
     *       {@code putIfAbsent} or {@code computeIfAbsent} creates gets the default.</li>
     *   <li>Null keys, values and functions throw {@link NullPointerException} (so does
     *       {@code containsValue(null)}); {@code remove(key, null)} is false, as in
     *       {@code ConcurrentHashMap}. A key that is not a {@code String} is in no entry; a key this map
     *       refuses (empty, with NUL, too long) throws {@link IllegalArgumentException}, as here.</li>
     *   <li>{@code entrySet}, {@code keySet}, {@code values}, {@code forEach}, {@code containsValue},
     *       {@code equals} and {@code hashCode} walk a snapshot, the one {@link #entries()} takes as the
     *       walk begins; {@code size}, {@code isEmpty} and {@code clear} are {@link #size()} and
     *       {@link #clear()}. None is atomic as a whole. Changes through them write through, as in
     *       {@code ConcurrentHashMap}: an iterator's {@code remove} removes the key whatever it holds by
     *       then (use {@code remove(key, value)} to remove only the value seen), an entry's {@code setValue}
     *       is {@code put} and returns the snapshot's value, and {@code replaceAll} is
     *       {@code computeIfPresent} on each key of a snapshot of the keys.</li>
     * </ul>
     */
    public ConcurrentMap<String, V> asMap() {
        return new ConcurrentMapView<>(this);
    }

    /** The value under key, or null. */
    public V get(String key) {
        Versioned<V> versioned = getVersioned(key);
        return versioned == null ? null : versioned.value();
    }

    /** The value under key with its version, or null when absent. */
    public Versioned<V> getVersioned(String key) {
        checkKey(key);
        store.ensureOpen();
        ReadCache.Held<V> found = read(key);
        return found == null ? null : found.versioned();
    }

    /**
     * The entry under key as one read of the store found it: value, version and expiry together,
     * which {@link #getVersioned} and {@link #timeToLive} called one after the other cannot promise
     * (another process may write between them). Null when absent. Reads the store, never the
     * read cache. What a dump of the store writes.
     */
    public EntrySnapshot<V> snapshot(String key) {
        checkKey(key);
        store.ensureOpen();
        StoredEntry found = backend.get(name, key);
        return found == null ? null : new EntrySnapshot<>(name, key, decode(found.json(), key), found.version(),
                found.expiresAt() == StoreBackend.NO_EXPIRY ? null : Instant.ofEpochMilli(found.expiresAt()));
    }

    /**
     * The entry under key as this process's read cache holds it, when the cache can prove it current
     * without a lock: nothing in the store has changed since it was last proven (one read of shared
     * memory). Otherwise null, which says nothing about the entry; read it with {@link #getVersioned} or
     * {@link #snapshot}. Never waits on another process: for an event loop thread that must not block.
     * An answer counts as a read cache hit; a null counts nothing. Always null where the map's values are
     * not cached (a mutable type, or a store without a read cache).
     */
    public EntrySnapshot<V> cachedSnapshot(String key) {
        checkKey(key);
        store.ensureOpen();
        if (cache == null) {
            return null;
        }
        long stamp = backend.changeStamp(); // before the look-up, as in read: a change after it disproves nothing read
        ReadCache.Held<V> cached = cache.find(name, key, type);
        if (cached == null || !cached.provenBy(stamp)) {
            return null;
        }
        cache.hit();
        long expiresAt = cached.expiresAt();
        return new EntrySnapshot<>(name, key, cached.versioned().value(), cached.version(),
                expiresAt == StoreBackend.NO_EXPIRY ? null : Instant.ofEpochMilli(expiresAt));
    }

    /**
     * The live entry, decoded, or null. With a cache: the cached value when the store's change stamp
     * has not moved since it was proven, or else when the store says the entry still has its
     * version and expiry; otherwise the stored JSON decoded, and cached (see {@link ReadCache}).
     */
    private ReadCache.Held<V> read(String key) {
        return read(key, cache == null ? StoreBackend.NO_CHANGE_STAMP : backend.changeStamp());
    }

    /** As {@link #read(String)}, stamp being the store's change stamp read as this read began. */
    private ReadCache.Held<V> read(String key, long stamp) {
        if (cache == null) {
            StoredEntry found = backend.get(name, key);
            return found == null ? null : decoded(key, found, StoreBackend.NO_CHANGE_STAMP);
        }
        ReadCache.Held<V> cached = cache.find(name, key, type);
        if (cached == null) {
            return decodeAndCache(key, backend.get(name, key), stamp);
        }
        if (cached.provenBy(stamp)) {
            cache.hit();
            return cached;
        }
        StoredEntry found = backend.getIfChanged(name, key, cached.version(), cached.expiresAt());
        if (found == StoreBackend.UNCHANGED) {
            cached.provenAt(stamp);
            cache.hit();
            return cached;
        }
        if (found == null) {
            cache.forget(name, key);
        }
        return decodeAndCache(key, found, stamp);
    }

    /** A miss of the cache: found decoded and cached, proven by stamp (read before found was). */
    private ReadCache.Held<V> decodeAndCache(String key, StoredEntry found, long stamp) {
        cache.miss();
        if (found == null) {
            return null;
        }
        ReadCache.Held<V> fresh = decoded(key, found, stamp);
        cache.remember(name, key, fresh, found.json().length);
        return fresh;
    }

    private ReadCache.Held<V> decoded(String key, StoredEntry found, long stamp) {
        return new ReadCache.Held<>(type, new Versioned<>(decode(found.json(), key), found.version()), found.expiresAt(), stamp);
    }

    /**
     * Stores value under key, replacing what was there.
     *
     * @return the version written
     */
    public long put(String key, V value) {
        checkKey(key);
        byte[] encoded = json.encode(value);
        store.ensureOpen();
        return backend.write(name, key, StoreBackend.ANY, encoded, defaultExpiry());
    }

    /**
     * Stores value under key, replacing what was there, to expire after timeToLive.
     *
     * @return the version written
     * @throws IllegalArgumentException if timeToLive is not more than 0 and at most 100 years
     */
    public long put(String key, V value, Duration timeToLive) {
        checkKey(key);
        long expiresAt = TimeToLive.expiresAt(timeToLive);
        byte[] encoded = json.encode(value);
        store.ensureOpen();
        return backend.write(name, key, StoreBackend.ANY, encoded, expiresAt);
    }

    /**
     * Stores value under key only if the key is absent.
     *
     * @return null when it stored value, otherwise the value already there (nothing written)
     */
    public V putIfAbsent(String key, V value) {
        return putIfAbsentLiving(key, value, defaultTimeToLive);
    }

    /**
     * Stores value under key only if the key is absent (or expired), to expire after timeToLive.
     *
     * @return null when it stored value, otherwise the value already there (nothing written)
     * @throws IllegalArgumentException if timeToLive is not more than 0 and at most 100 years
     */
    public V putIfAbsent(String key, V value, Duration timeToLive) {
        return putIfAbsentLiving(key, value, TimeToLive.check(timeToLive));
    }

    /** putIfAbsent, the entry to live for timeToLive, or for ever when null. */
    private V putIfAbsentLiving(String key, V value, Duration timeToLive) {
        checkKey(key);
        byte[] encoded = json.encode(value);
        store.ensureOpen();
        while (true) {
            long expiresAt = timeToLive == null ? StoreBackend.NO_EXPIRY : TimeToLive.expiresAt(timeToLive);
            if (backend.write(name, key, StoreBackend.ABSENT, encoded, expiresAt) != StoreBackend.CONFLICT) {
                return null;
            }
            StoredEntry present = backend.get(name, key);
            if (present != null) {
                return decode(present.json(), key);
            }
            // Removed between the two calls: try the insert again.
        }
    }

    /**
     * Stores value under key only if the entry's current version is {@code expectedVersion}
     * ({@link #ABSENT}: only if there is no entry).
     *
     * @return the new version, or 0 when the version differed and nothing was written
     */
    public long compareAndPut(String key, long expectedVersion, V value) {
        return compareAndPutLiving(key, expectedVersion, value, defaultTimeToLive);
    }

    /**
     * As {@link #compareAndPut(String, long, Object)}, the entry written to expire after timeToLive.
     *
     * @throws IllegalArgumentException if timeToLive is not more than 0 and at most 100 years
     */
    public long compareAndPut(String key, long expectedVersion, V value, Duration timeToLive) {
        return compareAndPutLiving(key, expectedVersion, value, TimeToLive.check(timeToLive));
    }

    /**
     * As {@link #compareAndPut(String, long, Object)}, keeping the entry's expiry (Redis's
     * {@code SET ... KEEPTTL}): an entry that expires keeps its deadline, one that does not stays
     * without; a new entry ({@link #ABSENT}) gets the map's default time to live, if any. For
     * read-modify-write loops that must not drop a deadline: a merge patch, an edit of a session.
     *
     * @return the new version, or 0 when the version differed and nothing was written
     */
    public long compareAndPutKeepingExpiry(String key, long expectedVersion, V value) {
        checkKey(key);
        if (expectedVersion < 0) {
            throw new IllegalArgumentException("expected version must be 0 (absent) or a version, not " + expectedVersion);
        }
        byte[] encoded = json.encode(value);
        store.ensureOpen();
        return backend.write(name, key, expectedVersion, encoded,
                expectedVersion == ABSENT ? defaultExpiry() : StoreBackend.KEEP_EXPIRY);
    }

    /** compareAndPut, the entry to live for timeToLive, or for ever when null. */
    private long compareAndPutLiving(String key, long expectedVersion, V value, Duration timeToLive) {
        checkKey(key);
        if (expectedVersion < 0) {
            throw new IllegalArgumentException("expected version must be 0 (absent) or a version, not " + expectedVersion);
        }
        long expiresAt = timeToLive == null ? StoreBackend.NO_EXPIRY : TimeToLive.expiresAt(timeToLive);
        byte[] encoded = json.encode(value);
        store.ensureOpen();
        return backend.write(name, key, expectedVersion, encoded, expiresAt);
    }

    /**
     * Makes the entry expire after timeToLive, keeping its value and version.
     *
     * @return whether the key existed (unexpired)
     * @throws IllegalArgumentException if timeToLive is not more than 0 and at most 100 years
     */
    public boolean expire(String key, Duration timeToLive) {
        checkKey(key);
        long expiresAt = TimeToLive.expiresAt(timeToLive);
        store.ensureOpen();
        return backend.expire(name, key, expiresAt);
    }

    /**
     * Drops the entry's expiry: it lives until removed. Value and version stay.
     *
     * @return whether the key existed (unexpired)
     */
    public boolean persist(String key) {
        checkKey(key);
        store.ensureOpen();
        return backend.expire(name, key, StoreBackend.NO_EXPIRY);
    }

    /** What is left of the entry's time to live; empty when it has no expiry or is absent. */
    public Optional<Duration> timeToLive(String key) {
        checkKey(key);
        store.ensureOpen();
        StoredEntry found = backend.get(name, key);
        return found == null ? Optional.empty() : TimeToLive.left(found.expiresAt());
    }

    /**
     * Replaces the value under key with update if it now equals expected, compared as JSON
     * (so two records with equal fields match).
     *
     * @return whether it replaced
     */
    public boolean replace(String key, V expected, V update) {
        checkKey(key);
        byte[] expectedJson = json.encode(expected);
        byte[] updateJson = json.encode(update);
        store.ensureOpen();
        var expectedTree = json.tree(expectedJson);
        while (true) {
            StoredEntry current = backend.get(name, key);
            if (current == null || !json.tree(current.json()).equals(expectedTree)) {
                return false;
            }
            if (backend.write(name, key, current.version(), updateJson, StoreBackend.KEEP_EXPIRY) != StoreBackend.CONFLICT) {
                return true;
            }
        }
    }

    /**
     * Atomically replaces the value under key with {@code function(current)}. The function sees
     * null when the key is absent; returning null removes the entry. The function runs outside
     * any lock and may run more than once: when another writer got in first, Hearth calls it
     * again with the newer value. An update that lost three times takes its key's turn (on the file
     * store): other updates of that key (and of the keys sharing its turn, one in 32), in any
     * process, wait until it is in (each wait at most 50 ms), so a slow function is not starved by a
     * faster loop on the same key. When it throws, nothing is written and the exception propagates.
     *
     * @return the value now stored, or null when the function returned null
     */
    public V update(String key, UnaryOperator<V> function) {
        checkKey(key);
        Objects.requireNonNull(function, "function");
        store.ensureOpen();
        UpdateTurns turns = backend.updateTurns();
        long turn = UpdateTurns.NO_TURN;
        boolean tookTurn = false; // one turn per call: one that ran out is not taken again
        try {
            for (int attempt = 0; ; attempt++) {
                if (turn == UpdateTurns.NO_TURN) {
                    turns.awaitTurn(name, key); // an update that kept losing has the turn: let it in
                }
                V written = attempt(key, function);
                if (written != CONFLICTED) {
                    return written;
                }
                if (!tookTurn && attempt + 1 >= TAKE_TURN_AFTER) {
                    turn = turns.take(name, key);
                    tookTurn = turn != UpdateTurns.NO_TURN;
                } else if (turn != UpdateTurns.NO_TURN && !turns.holds(name, key, turn)) {
                    long outlived = turn;
                    turn = UpdateTurns.NO_TURN; // before the release: the finally must not release it again
                    turns.release(name, key, outlived); // it ran out (or was taken over): compete as before
                }
                if (turn == UpdateTurns.NO_TURN) {
                    backOff(attempt);
                }
            }
        } finally {
            turns.release(name, key, turn);
        }
    }

    /** One read, function call and compare-and-write of {@link #update}: what it stored, or {@link #CONFLICTED}. */
    @SuppressWarnings("unchecked")
    private V attempt(String key, UnaryOperator<V> function) {
        long stamp = cache == null ? StoreBackend.NO_CHANGE_STAMP : backend.changeStamp();
        ReadCache.Held<V> current = read(key, stamp); // the cached value while it is still the entry's
        V next = function.apply(current == null ? null : current.value());
        long expected = current == null ? StoreBackend.ABSENT : current.version();
        if (next == null) {
            if (current == null || backend.remove(name, key, expected) != null) {
                forget(key);
                return null;
            }
        } else {
            byte[] encoded = json.encode(next);
            long expiresAt = current == null ? defaultExpiry() : StoreBackend.KEEP_EXPIRY;
            long written = backend.write(name, key, expected, encoded, expiresAt);
            if (written != StoreBackend.CONFLICT) {
                if (cacheWrites) {
                    // A plain immutable value reads back from its JSON as an equal value: it stands for
                    // that read. When this write took the version right after the stamp that proved
                    // current, nothing else changed between (not the expiry either): the new version
                    // proves it. Otherwise the next read checks version and expiry in the store.
                    long provenAt = stamp != StoreBackend.NO_CHANGE_STAMP && written == stamp + 1
                            ? written : StoreBackend.NO_CHANGE_STAMP;
                    cache.remember(name, key, new ReadCache.Held<>(type, new Versioned<>(next, written),
                            current == null ? expiresAt : current.expiresAt(), provenAt), encoded.length);
                }
                return next;
            }
        }
        return (V) CONFLICTED;
    }

    /** Removes the entry; returns the value it held, or null when absent. */
    public V remove(String key) {
        checkKey(key);
        store.ensureOpen();
        StoredEntry removed = backend.remove(name, key, StoreBackend.ANY);
        forget(key);
        return removed == null ? null : decode(removed.json(), key);
    }

    /**
     * Removes the entry only if its version is expectedVersion; returns whether it did.
     *
     * @throws IllegalArgumentException if expectedVersion is negative, as for {@link #compareAndPut}
     */
    public boolean compareAndRemove(String key, long expectedVersion) {
        checkKey(key);
        if (expectedVersion < 0) {
            // The backend reads -1 as "whatever is there": a caller's bad version must not remove unconditionally.
            throw new IllegalArgumentException("expected version must be a version (0 or more), not " + expectedVersion);
        }
        store.ensureOpen();
        boolean removed = backend.remove(name, key, expectedVersion) != null;
        if (removed) {
            forget(key);
        }
        return removed;
    }

    /** The keys, sorted, as a snapshot. */
    public Set<String> keys() {
        store.ensureOpen();
        Set<String> keys = new TreeSet<>();
        backend.forEachKey(name, keys::add);
        return Collections.unmodifiableSet(keys);
    }

    /**
     * Up to limit keys that start with prefix, sorted.
     *
     * @param prefix "" for all keys
     */
    public List<String> keys(String prefix, int limit) {
        Objects.requireNonNull(prefix, "prefix");
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative, was " + limit);
        }
        List<String> matching = new ArrayList<>();
        for (String key : keys()) {
            if (matching.size() == limit) {
                break;
            }
            if (key.startsWith(prefix)) {
                matching.add(key);
            }
        }
        return matching;
    }

    /** Keys and values, sorted by key, as a snapshot; entries removed during the walk are left out. */
    public Map<String, V> entries() {
        Map<String, V> snapshot = new LinkedHashMap<>();
        for (String key : keys()) {
            ReadCache.Held<V> found = read(key);
            if (found != null) {
                snapshot.put(key, found.value());
            }
        }
        return Collections.unmodifiableMap(snapshot);
    }

    /** Number of entries. */
    public int size() {
        store.ensureOpen();
        int[] count = {0};
        backend.forEachKey(name, key -> count[0]++);
        return count[0];
    }

    /** Removes every entry of this map. */
    public void clear() {
        store.ensureOpen();
        List<String> keys = new ArrayList<>();
        backend.forEachKey(name, keys::add);
        for (String key : keys) {
            backend.remove(name, key, StoreBackend.ANY);
            forget(key);
        }
    }

    /**
     * Calls listener with every change that any process makes from now on to this map's keys that
     * begin with keyPrefix ("" for every key): each write, removal and expiry, in the order of
     * their versions, each once. Listeners run on the store's change delivery thread, one change at
     * a time. When changes were missed, because the listener fell further behind than the store keeps
     * (on the file store, the newest 65,536 changes to any map of the store, or fewer when they are large) or a
     * writer died before recording its change, the listener is told so by a {@link Change.Kind#GAP}
     * naming the versions missed, never silently. Close the subscription to stop.
     *
     * @throws UnsupportedOperationException on a store that keeps no change log
     */
    public Subscription watch(String keyPrefix, Consumer<Change<V>> listener) {
        return watch(keyPrefix, store.changeFeed().newest(), listener);
    }

    /**
     * As {@link #watch(String, Consumer)}, starting after afterVersion rather than now: a watcher
     * that restarts names the last version it handled and is handed every change since, or a gap
     * first when the store no longer has them all.
     *
     * @throws IllegalArgumentException if afterVersion is negative or newer than any version the store has handed out
     */
    public Subscription watch(String keyPrefix, long afterVersion, Consumer<Change<V>> listener) {
        Objects.requireNonNull(keyPrefix, "keyPrefix");
        Objects.requireNonNull(listener, "listener");
        store.ensureOpen();
        return store.changeFeed().watch(name, keyPrefix, afterVersion, stored -> json.decode(stored, reader,
                "a change to map '" + name + "'"), listener);
    }

    /** Drops what this process caches for key, which is gone: only to free the room, reads never trust it. */
    private void forget(String key) {
        if (cache != null) {
            cache.forget(name, key);
        }
    }

    private void checkKey(String key) {
        Names.check(key, "key", maxKeyBytes, "maxKeyBytes");
    }

    private V decode(byte[] stored, String key) {
        return json.decode(stored, reader, "entry '" + key + "' of map '" + name + "'");
    }

    /** What {@link #attempt} returns when another writer got in first: never a value a function returns. */
    private static final Object CONFLICTED = new Object();
    /** Attempts an update loses before it takes its key's turn (see {@link UpdateTurns}). */
    private static final int TAKE_TURN_AFTER = 3;

    /**
     * Spins first, then yields, then parks briefly with jitter. The park stays short (at most
     * about 50 us): a long one lets the other contender win every round and starves this one.
     */
    static void backOff(int attempt) {
        if (attempt < 4) {
            Thread.onSpinWait();
        } else if (attempt < 16) {
            Thread.yield();
        } else {
            LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(5_000, 50_000));
        }
    }
}
