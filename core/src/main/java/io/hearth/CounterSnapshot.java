package io.hearth;

import io.hearth.internal.TimeToLive;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A counter as one read found it ({@link SharedCounter#snapshot()}): its value and its expiry at
 * the same instant.
 *
 * @param name      the counter's name
 * @param value     its value
 * @param expiresAt when it expires (wall clock, millisecond precision); null when it lives until removed
 */
public record CounterSnapshot(String name, long value, Instant expiresAt) {
    /** What was left of the counter's time to live when this is called; empty when it never expires. */
    public Optional<Duration> timeToLive() {
        return expiresAt == null ? Optional.empty() : TimeToLive.left(expiresAt.toEpochMilli());
    }
}
