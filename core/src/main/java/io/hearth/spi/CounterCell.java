package io.hearth.spi;

/** One named 64-bit counter of a backend; every operation atomic across processes. */
public interface CounterCell {
    long get();

    void set(long value);

    /** Adds delta and returns the value before. */
    long getAndAdd(long delta);

    boolean compareAndSet(long expected, long update);
}
