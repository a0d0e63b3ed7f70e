package io.hearth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.hearth.spi.StoreBackend;
import java.util.concurrent.atomic.LongAdder;

/**
 * One store's cache, in this process, of decoded map values: for each (map, key) read, the value
 * decoded from the entry's JSON, the version and expiry it was decoded at, and the store's change
 * stamp ({@link StoreBackend#changeStamp}) read before that. It never answers a read by itself;
 * {@link SharedMap} uses a cached value only after one of two proofs that it is still the entry's:
 * <ol>
 *   <li>the store's change stamp, read as the read begins, is the one {@link Held} was proven at,
 *       and the expiry has not come: nothing in the store changed since (one read of shared memory);</li>
 *   <li>otherwise, the store says the live entry still has that version and expiry
 *       ({@link StoreBackend#getIfChanged}, a look-up under the key's lock); the stamp read
 *       before it then proves the value for the reads that follow.</li>
 * </ol>
 * So a read is never older than the last write acknowledged before it began.
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
     * The default bound: 32 MiB of estimated heap. It holds 69,042 records of 111 bytes of JSON (a
     * record of three strings and two longs), which took 25.9 MB of heap, measured
     * (benchmarks/READ-CACHE.md). Small beside a service's heap, yet enough for the hot keys of most
     * maps; a process that reads a larger working set sets its own.
     */
    static final long DEFAULT_BYTES = 32L << 20;
    /**
     * What an entry costs beyond its key's characters and its value's JSON, estimated: Caffeine's
     * node, the key object, the Versioned and the holder, and the decoded object's headers. With
     * twice the key and twice the JSON, 486 bytes for the records above, which took 360 bytes each
     * (a million of them, 360 MB): the estimate errs high, so the bound holds for values that
     * decode to more than their JSON (text outside Latin-1, many small fields).
     */
    static final int ENTRY_OVERHEAD_BYTES = 240;

    private final Cache<Key, Held<?>> cache;
    private final long maximumBytes;
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();

    private ReadCache(long maximumBytes) {
        this.maximumBytes = maximumBytes;
        this.cache = Caffeine.newBuilder()
                .maximumWeight(maximumBytes)
                .weigher((Key key, Held<?> held) -> held.weight)
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

    /** What is cached for (map, key) if it was decoded as type, else null. */
    @SuppressWarnings("unchecked")
    <V> Held<V> find(String map, String key, Class<V> type) {
        Held<?> held = cache.getIfPresent(new Key(map, key));
        return held == null || held.type != type ? null : (Held<V>) held;
    }

    /** Caches held, decoded from jsonBytes of JSON (or standing for what they decode to). */
    void remember(String map, String key, Held<?> held, int jsonBytes) {
        held.weight = weight(key, jsonBytes);
        cache.put(new Key(map, key), held);
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

    /**
     * An entry as one read found it: the value decoded as type, its version and expiry, and the
     * newest change stamp known to have been read before a read that found this version and expiry
     * ({@link StoreBackend#NO_CHANGE_STAMP} until one has). Only the stamp changes, and only to
     * another such stamp, so any thread may set it.
     */
    static final class Held<V> {
        private final Class<V> type;
        private final Versioned<V> versioned;
        private final long expiresAt;
        private volatile long stamp;
        private int weight;

        Held(Class<V> type, Versioned<V> versioned, long expiresAt, long stamp) {
            this.type = type;
            this.versioned = versioned;
            this.expiresAt = expiresAt;
            this.stamp = stamp;
        }

        Versioned<V> versioned() {
            return versioned;
        }

        V value() {
            return versioned.value();
        }

        long version() {
            return versioned.version();
        }

        long expiresAt() {
            return expiresAt;
        }

        /** Whether stamp, read as a read began, proves this is still the entry: nothing changed since, and it lives. */
        boolean provenBy(long stamp) {
            return stamp == this.stamp && stamp != StoreBackend.NO_CHANGE_STAMP
                    && (expiresAt == StoreBackend.NO_EXPIRY || System.currentTimeMillis() < expiresAt);
        }

        /** Records that stamp was read before a look-up that found this version and expiry live. */
        void provenAt(long stamp) {
            this.stamp = stamp;
        }
    }
}
