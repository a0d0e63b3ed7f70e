package io.hearth.internal;

import java.time.Duration;
import java.util.Optional;

/**
 * Times to live, as callers give them, to expiry times, as backends store them: wall-clock epoch
 * milliseconds, so that they survive restarts and mean the same in every process of the host.
 */
public final class TimeToLive {
    /** The longest time to live: longer is a mistake (a unit mixed up), not a wish. */
    public static final Duration MAX = Duration.ofDays(36_500);

    private TimeToLive() {
    }

    /**
     * The expiry time of something written now to live for timeToLive, rounded up to a millisecond.
     *
     * @throws IllegalArgumentException if timeToLive is null, zero, negative, or over {@link #MAX}
     */
    public static long expiresAt(Duration timeToLive) {
        check(timeToLive);
        long millis = Math.max(1, (timeToLive.toNanos() + 999_999) / 1_000_000);
        return System.currentTimeMillis() + millis;
    }

    /** The same checks as {@link #expiresAt}, for a time to live kept to apply later. */
    public static Duration check(Duration timeToLive) {
        if (timeToLive == null) {
            throw new IllegalArgumentException("time to live must not be null");
        }
        if (timeToLive.isNegative() || timeToLive.isZero() || timeToLive.compareTo(MAX) > 0) {
            throw new IllegalArgumentException("time to live must be more than 0 and at most " + MAX.toDays()
                    + " days (100 years), was " + timeToLive);
        }
        return timeToLive;
    }

    /** What is left of an expiry time: empty for no expiry (0); zero or more otherwise. */
    public static Optional<Duration> left(long expiresAt) {
        if (expiresAt <= 0) {
            return Optional.empty();
        }
        return Optional.of(Duration.ofMillis(Math.max(0, expiresAt - System.currentTimeMillis())));
    }
}
