package io.hearth.file;

import io.hearth.spi.CounterCell;
import io.hearth.spi.CounterReading;
import io.hearth.spi.StoreBackend;

/**
 * A handle on a named counter of the file store: each operation is one atomic instruction on the
 * slot's value, between two reads of the slot's state and expiry (same cache line). When another
 * process has removed the counter meanwhile (the state no longer holds the incarnation this handle
 * found), or it expired, the handle finds the name again, as a new counter from zero for writes
 * (expiring the handle's time to live after), as zero for reads; an add that landed after the
 * removal is taken back first. See {@link CounterTables#REUSE_GRACE}.
 */
final class FileCounter implements CounterCell {
    private final CounterTables tables;
    private final String name;
    private final long timeToLiveMillis;
    private volatile CounterTables.Slot slot;

    FileCounter(CounterTables tables, String name, long timeToLiveMillis, CounterTables.Slot slot) {
        this.tables = tables;
        this.name = name;
        this.timeToLiveMillis = timeToLiveMillis;
        this.slot = slot;
    }

    @Override
    public long get() {
        while (true) {
            CounterTables.Slot current = slot;
            if (current != null && live(current)) {
                long value = current.table().file().getLongVolatile(current.offset() + CounterSlots.VALUE);
                if (live(current)) {
                    return value;
                }
            }
            CounterTables.Slot found = tables.find(name);
            if (found == null) {
                return 0; // removed or expired, and not named again: reads as a counter nobody wrote
            }
            slot = found;
        }
    }

    @Override
    public void set(long value) {
        while (true) {
            CounterTables.Slot current = writable();
            current.table().file().setLongVolatile(current.offset() + CounterSlots.VALUE, value);
            if (live(current)) {
                return;
            }
            slot = null;
        }
    }

    @Override
    public long getAndAdd(long delta) {
        while (true) {
            CounterTables.Slot current = writable();
            MappedFile file = current.table().file();
            long before = file.getAndAddLong(current.offset() + CounterSlots.VALUE, delta);
            if (live(current)) {
                return before;
            }
            file.getAndAddLong(current.offset() + CounterSlots.VALUE, -delta);
            slot = null;
        }
    }

    @Override
    public boolean compareAndSet(long expected, long update) {
        while (true) {
            CounterTables.Slot current = writable();
            boolean set = current.table().file().compareAndSetLong(current.offset() + CounterSlots.VALUE, expected, update);
            if (live(current)) {
                return set;
            }
            if (set) {
                current.table().file().compareAndSetLong(current.offset() + CounterSlots.VALUE, update, expected);
            }
            slot = null;
        }
    }

    @Override
    public long expiresAt() {
        CounterTables.Slot current = slot;
        if (current == null || !live(current)) {
            current = tables.find(name);
            if (current == null) {
                return StoreBackend.NO_EXPIRY;
            }
            slot = current;
        }
        long expiresAt = current.table().expiresAt(current.offset());
        return live(current) ? expiresAt : StoreBackend.NO_EXPIRY;
    }

    @Override
    public boolean expireAt(long expiresAt) {
        return tables.expireAt(name, expiresAt);
    }

    @Override
    public CounterReading read() {
        while (true) {
            CounterTables.Slot current = slot;
            if (current == null || !live(current)) {
                current = tables.find(name);
                if (current == null) {
                    return null;
                }
                slot = current;
            }
            CounterReading reading = CounterTables.read(current);
            if (reading != null) {
                return reading;
            }
            // Removed or expired while read: find the name again, which tells whether it lives on.
        }
    }

    /** The slot to write, naming the counter again when it was removed or expired. */
    private CounterTables.Slot writable() {
        CounterTables.Slot current = slot;
        if (current == null || !live(current)) {
            current = tables.resolve(name, timeToLiveMillis);
            slot = current;
        }
        return current;
    }

    private static boolean live(CounterTables.Slot slot) {
        return CounterTables.live(slot);
    }
}
