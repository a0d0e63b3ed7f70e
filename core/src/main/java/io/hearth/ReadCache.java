package io.hearth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.concurrent.atomic.LongAdder;

/**
 * One store's cache, in this process, of decoded map values: for each (map, key) read, the value
 * decoded from the entry's JSON and the version it was decoded at. It never answers a read by
 * itself: {@link SharedMap} asks the store for the entry's live version on every read
 * ({@link io.hearth.spi.StoreBackend#getIfChanged}) and uses the cached value only when it is still
 * that version, so a read is never older than the last write acknowledged before it began.
 *
 * <p>Bounded by the heap its entries are estimated to take ({@link #weight}), evicting by
 * Caffeine's frequency-and-recency policy. Eviction runs on the threads that use the cache (no
 * thread of its own, none of the common pool). No user code runs inside it: values are decoded
 * before they are put, and nothing is computed under Caffeine's locks.
 *
 * <p>Holds only values of types that {@link io.hearth.internal.ImmutableTypes} calls immutable, so
 * handing one object to every reader is safe. Thread-safe.
 */
final class ReadCache {
    /**
     * The default bound: 32 MiB of estimated heap, about 70,000 entries of ~100-byte records (a
     * million took 457 MB, benchmarks/READ-CACHE.md). Small beside a service's heap, yet enough to
     * hold the hot keys of most maps; a process that reads a larger working set sets its own.
     */
    static final long DEFAULT_BYTES = 32L << 20;
    /**
     * What an entry costs beyond its value's JSON, estimated: Caffeine's node, the key object and
     * the key's string, the Versioned and the holder, and the decoded object's headers. Measured for
     * 111 bytes of JSON (a record of three strings and two longs): 457 bytes an entry in all.
     */
    static final int ENTRY_OVERHEAD_BYTES = 240;

    private final Cache<Key, Held> cache;
    private final long maximumBytes;
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();

    private ReadCache(long maximumBytes) {
        this.maximumBytes = maximumBytes;
        this.cache = Caffeine.newBuilder()
                .maximumWeight(maximumBytes)
                .weigher((Key key, Held held) -> held.weight)
                .executor(Runnable::run)
                .build();
    }

    /** A cache bounded at maximumBytes of estimated heap, or null for none (0). */
    static ReadCache bounded(long maximumBytes) {
        return maximumBytes == 0 ? null : new ReadCache(maximumBytes);
    }

    /**
     * What the heap an entry takes is estimated at: its JSON twice (a decoded string or number takes
     * about as many bytes as its JSON, plus headers), its key's characters twice, and the fixed overhead.
     */
    static int weight(String key, int jsonBytes) {
        long estimate = ENTRY_OVERHEAD_BYTES + 2L * key.length() + 2L * jsonBytes;
        return (int) Math.min(Integer.MAX_VALUE, estimate);
    }

    /** The cached value of (map, key) if it was decoded as type, else null. */
    @SuppressWarnings("unchecked")
    <V> Versioned<V> find(String map, String key, Class<V> type) {
        Held held = cache.getIfPresent(new Key(map, key));
        return held == null || held.type != type ? null : (Versioned<V>) held.versioned;
    }

    /** Caches value, decoded as type from jsonBytes of JSON (or standing for what they decode to). */
    <V> void remember(String map, String key, Class<V> type, Versioned<V> value, int jsonBytes) {
        cache.put(new Key(map, key), new Held(type, value, weight(key, jsonBytes)));
    }

    /** Drops what is cached for (map, key): the entry is gone. */
    void forget(String map, String key) {
        cache.invalidate(new Key(map, key));
    }

    void hit() {
        hits.increment();
    }

    void miss() {
        misses.increment();
    }

    ReadCacheStats stats() {
        return new ReadCacheStats(hits.sum(), misses.sum(), cache.estimatedSize(), maximumBytes);
    }

    /** A map's name and a key of it; its hash is computed from the two strings' cached hashes. */
    private static final class Key {
        private final String map;
        private final String key;

        Key(String map, String key) {
            this.map = map;
            this.key = key;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Key that && key.equals(that.key) && map.equals(that.map);
        }

        @Override
        public int hashCode() {
            return 31 * map.hashCode() + key.hashCode();
        }
    }

    /** A cached value, the type it was decoded as, and its weight. */
    private static final class Held {
        final Class<?> type;
        final Versioned<?> versioned;
        final int weight;

        Held(Class<?> type, Versioned<?> versioned, int weight) {
            this.type = type;
            this.versioned = versioned;
            this.weight = weight;
        }
    }
}
