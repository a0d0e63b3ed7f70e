package io.hearth;

/**
 * A snapshot of how full a store is.
 *
 * @param entries          map entries stored, over all maps
 * @param capacity         the most map entries the store takes
 * @param counters         counter names in use
 * @param counterCapacity  the most counter names the store takes
 * @param fileBytes        the length of the store's files together (they are sparse: disk use is lower)
 */
public record StoreStats(long entries, long capacity, int counters, int counterCapacity, long fileBytes) {

    /** {@code entries / capacity}, from 0.0 to 1.0. */
    public double fillRatio() {
        return capacity == 0 ? 0.0 : (double) entries / capacity;
    }
}
