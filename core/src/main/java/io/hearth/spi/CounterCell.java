package io.hearth.spi;

/** One named 64-bit counter of a backend; every operation atomic across processes. */
public interface CounterCell {
    long get();

    void set(long value);

    /** Adds delta and returns the value before. */
    long getAndAdd(long delta);

    boolean compareAndSet(long expected, long update);

    /** When the counter expires, epoch milliseconds; {@link StoreBackend#NO_EXPIRY} when never or when it does not exist. */
    long expiresAt();

    /**
     * Sets when the counter expires ({@link StoreBackend#NO_EXPIRY}: never).
     *
     * @return whether the counter existed
     */
    boolean expireAt(long expiresAt);

    /**
     * The counter's value and expiry as they were at one instant, or null when the counter does not
     * exist (never named, removed, or expired): what a dump writes, where reading {@link #get} and
     * {@link #expiresAt} one after the other could pair a value with an expiry it never had.
     *
     * @throws UnsupportedOperationException if this backend cannot (the default)
     */
    default CounterReading read() {
        throw new UnsupportedOperationException("this backend cannot read a counter's value and expiry together");
    }
}
