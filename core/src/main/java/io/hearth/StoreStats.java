package io.hearth;

/**
 * A snapshot of how full a store is, and the limits it was created with (a store keeps the shape
 * it was created with, whatever a later open asks for).
 *
 * @param entries          map entries stored, over all maps
 * @param capacity         the most map entries the store takes
 * @param counters         counter names in use
 * @param counterCapacity  the most counter names the store takes
 * @param fileBytes        the length of the store's files together; 0 for a store behind a server
 * @param maxKeyBytes      the longest key the store takes, bytes of UTF-8
 * @param maxValueBytes    the longest value, bytes of JSON
 * @param maxBroadcastBytes the longest broadcast payload, bytes of UTF-8
 * @param workerCapacity   the most processes attached at once ({@code Integer.MAX_VALUE}: no limit)
 */
public record StoreStats(long entries, long capacity, int counters, int counterCapacity, long fileBytes,
                         int maxKeyBytes, int maxValueBytes, int maxBroadcastBytes, int workerCapacity) {

    /** {@code entries / capacity}, from 0.0 to 1.0. */
    public double fillRatio() {
        return capacity == 0 ? 0.0 : (double) entries / capacity;
    }
}
