package io.hearth;

import io.hearth.internal.TimeToLive;
import io.hearth.spi.CounterCell;
import io.hearth.spi.CounterReading;
import io.hearth.spi.StoreBackend;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A named 64-bit counter shared by every process attached to the store.
 *
 * <p>Each operation is atomic across the threads of this process and across processes, and
 * visible to every other process as soon as it returns. On the file store each is one atomic
 * instruction on the mapped file, never blocked by another process, alive or dead. Arithmetic
 * wraps around on overflow, as {@link java.util.concurrent.atomic.AtomicLong} does. A counter
 * nobody has written reads zero. A counter may expire ({@link #expire},
 * {@link SharedStore#counter(String, Duration)}): from its expiry time on it reads zero in every
 * process, and a write through the handle creates it again (with the handle's time to live).
 *
 * <p>Safe to share between threads. Obtain it from {@link SharedStore#counter(String)}; it stays
 * usable until the store is closed.
 */
public final class SharedCounter {
    private final SharedStore store;
    private final CounterCell cell;
    private final String name;

    SharedCounter(SharedStore store, CounterCell cell, String name) {
        this.store = store;
        this.cell = cell;
        this.name = name;
    }

    /** The counter's name. */
    public String name() {
        return name;
    }

    /** The current value. */
    public long get() {
        store.ensureOpen();
        return cell.get();
    }

    /** Sets the value; every process sees it from now on. */
    public void set(long value) {
        store.ensureOpen();
        cell.set(value);
    }

    /** Adds one and returns the new value. */
    public long incrementAndGet() {
        return addAndGet(1);
    }

    /** Adds delta (which may be negative) and returns the new value. */
    public long addAndGet(long delta) {
        return getAndAdd(delta) + delta;
    }

    /** Adds delta (which may be negative) and returns the value before. */
    public long getAndAdd(long delta) {
        store.ensureOpen();
        return cell.getAndAdd(delta);
    }

    /** Sets the value to update if it is expected now; returns whether it did. */
    public boolean compareAndSet(long expected, long update) {
        store.ensureOpen();
        return cell.compareAndSet(expected, update);
    }

    /**
     * Makes the counter expire after timeToLive: from then on it is gone in every process (it reads
     * zero, and its name is freed).
     *
     * @return whether the counter existed
     * @throws IllegalArgumentException if timeToLive is not more than 0 and at most 100 years
     */
    public boolean expire(Duration timeToLive) {
        long expiresAt = TimeToLive.expiresAt(timeToLive);
        store.ensureOpen();
        return cell.expireAt(expiresAt);
    }

    /** Drops the counter's expiry; returns whether the counter existed. */
    public boolean persist() {
        store.ensureOpen();
        return cell.expireAt(StoreBackend.NO_EXPIRY);
    }

    /** What is left of the counter's time to live; empty when it has no expiry or does not exist. */
    public Optional<Duration> timeToLive() {
        store.ensureOpen();
        return TimeToLive.left(cell.expiresAt());
    }

    /**
     * The value and the expiry together, as they were at one instant; null when the counter does
     * not exist now (never written, removed, or expired). What a dump of the store writes.
     *
     * @throws UnsupportedOperationException on a backend that cannot read them together
     */
    public CounterSnapshot snapshot() {
        store.ensureOpen();
        CounterReading reading = cell.read();
        return reading == null ? null : new CounterSnapshot(name, reading.value(),
                reading.expiresAt() == StoreBackend.NO_EXPIRY ? null : Instant.ofEpochMilli(reading.expiresAt()));
    }

    @Override
    public String toString() {
        return "SharedCounter[" + name + "]";
    }
}
