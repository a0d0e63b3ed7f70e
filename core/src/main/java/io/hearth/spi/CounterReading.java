package io.hearth.spi;

/**
 * A counter's value and expiry read together ({@link CounterCell#read()}).
 *
 * @param value     the value
 * @param expiresAt when the counter expires, epoch milliseconds; {@link StoreBackend#NO_EXPIRY} when never
 */
public record CounterReading(long value, long expiresAt) {
}
