package io.hearth;

import io.hearth.spi.CounterCell;

/**
 * A named 64-bit counter shared by every process attached to the store.
 *
 * <p>Each operation is atomic across the threads of this process and across processes, and
 * visible to every other process as soon as it returns. On the file store each is one atomic
 * instruction on the mapped file, never blocked by another process, alive or dead. Arithmetic
 * wraps around on overflow, as {@link java.util.concurrent.atomic.AtomicLong} does. A counter
 * nobody has written reads zero.
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

    @Override
    public String toString() {
        return "SharedCounter[" + name + "]";
    }
}
