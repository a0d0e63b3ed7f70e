package io.hearth;

/**
 * A snapshot of how full a store is, and the limits it was created with (a store keeps the shape
 * it was created with, whatever a later open asks for).
 *
 * @param entries          map entries stored, over all maps
 * @param capacity         the most map entries the store takes: a cap set on purpose, or {@code Long.MAX_VALUE}
 *                         when only the disk limits it
 * @param counters         counter names in use
 * @param counterCapacity  the most counter names the store takes ({@code Integer.MAX_VALUE}: only the disk limits it)
 * @param fileBytes        the length of the store's files together; 0 for a store behind a server
 * @param maxKeyBytes      the longest key the store takes, bytes of UTF-8
 * @param maxValueBytes    the longest value, bytes of JSON
 * @param maxBroadcastBytes the longest broadcast payload, bytes of UTF-8
 * @param workerCapacity   the most processes attached at once ({@code Integer.MAX_VALUE}: no limit)
 * @param growths          times the store grew while in use (file store: a shard of entries split, a
 *                         counter table added; 0 on Redis)
 * @param generation       how many parts the entries are spread over now (file store: shards; 1 on Redis)
 * @param readCache        this process's cache of decoded map values (the only figures here that are this
 *                         process's own rather than the store's)
 */
public record StoreStats(long entries, long capacity, int counters, int counterCapacity, long fileBytes,
                         int maxKeyBytes, int maxValueBytes, int maxBroadcastBytes, int workerCapacity,
                         long growths, int generation, ReadCacheStats readCache) {

    /** The store's figures as a backend reports them, without a read cache ({@link ReadCacheStats#OFF}). */
    public StoreStats(long entries, long capacity, int counters, int counterCapacity, long fileBytes,
                      int maxKeyBytes, int maxValueBytes, int maxBroadcastBytes, int workerCapacity,
                      long growths, int generation) {
        this(entries, capacity, counters, counterCapacity, fileBytes, maxKeyBytes, maxValueBytes, maxBroadcastBytes,
                workerCapacity, growths, generation, ReadCacheStats.OFF);
    }

    public StoreStats {
        java.util.Objects.requireNonNull(readCache, "readCache");
    }

    /** These figures with readCache's in place of the ones here. */
    public StoreStats withReadCache(ReadCacheStats readCache) {
        return new StoreStats(entries, capacity, counters, counterCapacity, fileBytes, maxKeyBytes, maxValueBytes,
                maxBroadcastBytes, workerCapacity, growths, generation, readCache);
    }

    /** {@code entries / capacity}, from 0.0 to 1.0. */
    public double fillRatio() {
        return capacity == 0 ? 0.0 : (double) entries / capacity;
    }
}
