package io.hearth.spi;

/**
 * The size limits of a store, in bytes of UTF-8. {@link io.hearth.SharedStore} checks every
 * argument against them before it calls the backend.
 *
 * @param maxKeyBytes         longest map key
 * @param maxValueBytes       longest value, as JSON
 * @param maxBroadcastBytes   longest broadcast payload
 * @param maxMapNameBytes     longest map name
 * @param maxCounterNameBytes longest counter name
 * @param maxTopicBytes       longest broadcast topic
 */
public record BackendLimits(int maxKeyBytes, int maxValueBytes, int maxBroadcastBytes, int maxMapNameBytes,
                            int maxCounterNameBytes, int maxTopicBytes) {
}
