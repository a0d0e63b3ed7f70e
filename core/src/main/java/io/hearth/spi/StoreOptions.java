package io.hearth.spi;

import java.util.Set;

/**
 * What {@link io.hearth.SharedStore.Builder} asks of a new store; already checked against the
 * ranges the builder documents. A backend applies what it can when it creates the store and
 * ignores the rest; an existing store keeps the shape it was created with.
 *
 * @param maxEntries         most map entries over all maps: a cap, applied only when given
 * @param expectedEntries    how many map entries the store is expected to hold, for sizing; it grows past them
 * @param expectedKeyBytes   typical key length, for sizing
 * @param maxKeyBytes        longest key
 * @param expectedValueBytes typical value length as JSON, for sizing
 * @param maxValueBytes      longest value as JSON
 * @param maxCounters        most counter names
 * @param maxWorkers         most processes attached at once
 * @param maxBroadcastBytes  longest broadcast payload
 * @param given              the names of the settings the caller set (the builder's method names); the
 *                           rest are defaults. A backend that opens an existing store of another shape
 *                           says so for these.
 */
public record StoreOptions(long maxEntries, long expectedEntries, int expectedKeyBytes, int maxKeyBytes, int expectedValueBytes,
                           int maxValueBytes, int maxCounters, int maxWorkers, int maxBroadcastBytes, Set<String> given) {
    /** The builder's defaults, which {@link io.hearth.SharedStore#open(java.net.URI)} uses. */
    public static final StoreOptions DEFAULTS = new StoreOptions(100_000, 65_536, 32, 256, 256, 64 * 1024, 4096, 256, 16 * 1024, Set.of());

    public StoreOptions {
        given = Set.copyOf(given);
    }
}
