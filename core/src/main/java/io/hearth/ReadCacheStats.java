package io.hearth;

/**
 * This process's cache of decoded map values ({@link SharedStore.Builder#readCacheBytes}), as
 * {@link StoreStats#readCache()} reports it. Counts are since the store was opened in this process;
 * each process has its own cache and its own counts.
 *
 * @param hits         reads answered with a cached value, after the store confirmed its version is still the entry's
 * @param misses       reads of a map whose type the cache takes that decoded the stored JSON: nothing cached for
 *                     the key yet, or the entry changed, expired or went since
 * @param size         values cached now
 * @param maximumBytes the bound on the cache's estimated heap ({@link SharedStore.Builder#readCacheBytes}); 0 when off
 */
public record ReadCacheStats(long hits, long misses, long size, long maximumBytes) {
    /** A store without a read cache: it is turned off, or the backend does not support one (Redis). */
    public static final ReadCacheStats OFF = new ReadCacheStats(0, 0, 0, 0);

    /** {@code hits / (hits + misses)}, 0.0 before any read. */
    public double hitRatio() {
        long reads = hits + misses;
        return reads == 0 ? 0.0 : (double) hits / reads;
    }
}
