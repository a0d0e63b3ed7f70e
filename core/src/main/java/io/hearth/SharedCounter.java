package io.hearth;

/**
 * A named 64-bit counter shared by every process attached to the store.
 *
 * <p>Each operation is one atomic instruction on the mapped store file: atomic across the threads
 * of this process and across processes, visible to every other process as soon as it returns,
 * and never blocked by another process, alive or dead. Arithmetic wraps around on overflow, as
 * {@link java.util.concurrent.atomic.AtomicLong} does. A counter nobody has written reads zero.
 *
 * <p>Safe to share between threads. Obtain it from {@link SharedStore#counter(String)}; it stays
 * usable until the store is closed.
 */
public final class SharedCounter {
    private final SharedStore store;
    private final StoreFile file;
    private final int offset;
    private final String name;

    SharedCounter(SharedStore store, StoreFile file, int offset, String name) {
        this.store = store;
        this.file = file;
        this.offset = offset;
        this.name = name;
    }

    /** The counter's name. */
    public String name() {
        return name;
    }

    /** The current value. */
    public long get() {
        store.ensureOpen();
        return file.getLongVolatile(offset);
    }

    /** Sets the value; every process sees it from now on. */
    public void set(long value) {
        store.ensureOpen();
        file.setLongVolatile(offset, value);
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
        return file.getAndAddLong(offset, delta);
    }

    /** Sets the value to update if it is expected now; returns whether it did. */
    public boolean compareAndSet(long expected, long update) {
        store.ensureOpen();
        return file.compareAndSetLong(offset, expected, update);
    }

    @Override
    public String toString() {
        return "SharedCounter[" + name + "=" + file.getLongVolatile(offset) + "]";
    }
}
