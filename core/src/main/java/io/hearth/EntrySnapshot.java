package io.hearth;

import io.hearth.internal.TimeToLive;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A map entry as one read found it ({@link SharedMap#snapshot}): its value, its version and its
 * expiry belong together, as no pair of separate calls can promise.
 *
 * @param map       the map's name
 * @param key       the key
 * @param value     the value
 * @param version   the entry's version, as {@link Versioned#version()}
 * @param expiresAt when the entry expires (wall clock, millisecond precision); null when it lives until removed
 */
public record EntrySnapshot<V>(String map, String key, V value, long version, Instant expiresAt) {
    /** What was left of the entry's time to live when this is called; empty when it never expires. */
    public Optional<Duration> timeToLive() {
        return expiresAt == null ? Optional.empty() : TimeToLive.left(expiresAt.toEpochMilli());
    }
}
