package io.hearth.spi;

/**
 * The size limits of a store, in bytes of UTF-8.
 *
 * @param maxKeyBytes       longest map key
 * @param maxValueBytes     longest value, as JSON
 * @param maxBroadcastBytes longest broadcast payload
 */
public record BackendLimits(int maxKeyBytes, int maxValueBytes, int maxBroadcastBytes) {
}
