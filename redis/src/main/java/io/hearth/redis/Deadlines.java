package io.hearth.redis;

import io.hearth.spi.StoreBackend;

/**
 * Expiry times as the SPI carries them, epoch milliseconds of this process's clock, to times to
 * live as Redis takes them, milliseconds from when the command runs, and back. Converting at the
 * call makes the clocks of client and server irrelevant to how long something lives: only the time
 * the call spends on the wire is added to it.
 */
final class Deadlines {
    private Deadlines() {
    }

    /** Milliseconds from now until expiresAt, at least 1: a time already past expires at once. */
    static long millisUntil(long expiresAt) {
        return Math.max(1, expiresAt - System.currentTimeMillis());
    }

    /** The expiry time of something Redis gives leftMillis to live (negative: no expiry, {@link StoreBackend#NO_EXPIRY}). */
    static long expiresAt(long leftMillis) {
        return leftMillis < 0 ? StoreBackend.NO_EXPIRY : System.currentTimeMillis() + leftMillis;
    }
}
