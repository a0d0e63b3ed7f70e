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
}
