package io.hearth.file;

import io.hearth.HearthException;
import io.hearth.StoreFullException;
import io.hearth.internal.Names;
import io.hearth.spi.CounterReading;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every counter of a store: table 0 in the store file and, once it runs short, overflow tables
 * {@code PATH.counters.1}, {@code .2}, ... of twice the slots each, added while every process keeps
 * counting. A name is looked up table by table ({@link CounterSlots}); counter operations take no
 * lock. Naming and removing take the naming lock ({@link OwnerLock}, a word of the store header),
 * for microseconds; a process that dies holding it is taken over and its half-named slot tidied.
 *
 * <pre>
 *   PATH.counters.N: 0 magic "HEARTHC1" (long)   8 slots (int)   16 store id (16 bytes)
 *                    64 slots x {@link CounterSlots#SLOT_LENGTH}, as in table 0
 * </pre>
 *
 * An overflow table is built aside ({@code .creating}), renamed into place and only then counted in
 * the store header ({@link StoreHeader#COUNTER_OVERFLOW_TABLES_OFFSET}); processes map the tables
 * the header counts when a lookup gets to them.
 *
 * <p>A removed counter's slot is a tombstone, named again only {@link #REUSE_GRACE} later: a handle
 * another process holds on the removed counter checks the slot's incarnation around each operation
 * ({@link FileCounter}), and the grace keeps a slot from being renamed between that check and the
 * instruction itself.
 */
final class CounterTables implements AutoCloseable {
    static final Duration REUSE_GRACE = Duration.ofSeconds(1);
    private static final long MAGIC = 0x3143485452414548L; // "HEARTHC1" read as a little-endian long
    private static final int FILE_HEADER = 64;

    /** Where a named counter lives now. */
    record Slot(CounterSlots table, int offset, int incarnation) {
    }

    private final StoreFile store;
    private final StoreHeader header;
    private final OwnerLock naming;
    private final int pid;
    private final List<CounterSlots> tables = new ArrayList<>();
    private final List<FileChannel> channels = new ArrayList<>();
    /** Where this process's sweep goes on: a table, and a slot in it. */
    private int sweepTable;
    private int sweepSlot;

    CounterTables(StoreFile store, long pid) {
        this.store = store;
        this.header = store.header();
        this.pid = Math.toIntExact(pid);
        this.naming = new OwnerLock(store.mapped(), StoreHeader.COUNTER_NAMING_OFFSET, pid, "counter naming");
        tables.add(new CounterSlots(store.mapped(), Math.toIntExact(store.layout().counterTableOffset()),
                store.layout().counterSlots(), 0));
    }

    static int hash(String name) {
        int h = name.hashCode() * 0x9E3779B9;
        return h ^ (h >>> 16);
    }

    static Path overflowPath(Path storePath, int index) {
        return Path.of(storePath + ".counters." + index);
    }

    /**
     * The named counter, naming a slot for it when no process has or when it expired; a counter
     * named here expires timeToLiveMillis later (0: never), set in the same step that names it.
     */
    Slot resolve(String name, long timeToLiveMillis) {
        byte[] bytes = Names.utf8(name, "counter name", CounterSlots.MAX_NAME_BYTES, "the counter name limit");
        Slot found = find(bytes, hash(name));
        if (found != null && live(found)) {
            return found;
        }
        if (naming.lock()) {
            tidyAfterDeadNamer();
        }
        try {
            return nameUnderLock(name, bytes, timeToLiveMillis);
        } finally {
            naming.unlock();
        }
    }

    /** The named counter, or null when no process has named it or it expired. Names nothing. */
    Slot find(String name) {
        byte[] bytes = Names.utf8(name, "counter name", CounterSlots.MAX_NAME_BYTES, "the counter name limit");
        Slot found = find(bytes, hash(name));
        return found != null && live(found) ? found : null;
    }

    /**
     * Whether the slot still holds the counter it held when found, and the counter has not expired;
     * reads the clock only for a counter that expires (the counter operations' fast path).
     */
    static boolean live(Slot slot) {
        if (slot.table().state(slot.offset()) != slot.incarnation()) {
            return false;
        }
        long expiresAt = slot.table().expiresAt(slot.offset());
        return expiresAt == 0 || System.currentTimeMillis() < expiresAt;
    }

    /** {@link #live(Slot)} at a given time. */
    static boolean live(Slot slot, long nowMillis) {
        if (slot.table().state(slot.offset()) != slot.incarnation()) {
            return false;
        }
        long expiresAt = slot.table().expiresAt(slot.offset());
        return expiresAt == 0 || nowMillis < expiresAt;
    }

    /**
     * Removes the named counter; its slot is named again after {@link #REUSE_GRACE}. Returns whether
     * it existed (an expired counter's slot is freed too, but it did not exist).
     */
    boolean remove(String name) {
        byte[] bytes = Names.utf8(name, "counter name", CounterSlots.MAX_NAME_BYTES, "the counter name limit");
        if (naming.lock()) {
            tidyAfterDeadNamer();
        }
        try {
            Slot found = find(bytes, hash(name));
            if (found == null) {
                return false;
            }
            boolean live = live(found);
            found.table().remove(found.offset(), pid);
            header.addCountersNamed(-1);
            return live;
        } finally {
            naming.unlock();
        }
    }

    /**
     * Sets when the named counter expires (0: never), if it exists and has not expired.
     *
     * @return whether it existed
     */
    boolean expireAt(String name, long expiresAt) {
        byte[] bytes = Names.utf8(name, "counter name", CounterSlots.MAX_NAME_BYTES, "the counter name limit");
        if (naming.lock()) {
            tidyAfterDeadNamer();
        }
        try {
            // Under the naming lock: nobody makes it a tombstone between the look and the write.
            Slot found = find(bytes, hash(name));
            if (found == null || !live(found)) {
                return false;
            }
            found.table().setExpiresAt(found.offset(), expiresAt);
            return true;
        } finally {
            naming.unlock();
        }
    }

    /**
     * Frees the slots of counters that expired by nowMillis among the next maxSlots slots after
     * this process's sweep cursor (each a tombstone, reused after the grace). Walks without the
     * lock and takes it only when it found some.
     *
     * @return slots examined and counters freed
     */
    SweepStep sweepExpired(long nowMillis, int maxSlots) {
        int examined;
        List<String> expired;
        // The cursor under this object's monitor, the naming lock after it is released: naming holds the
        // naming lock and then takes the monitor (table), so holding both the other way round deadlocks.
        synchronized (this) {
            CounterSlots table = table(sweepTable);
            if (table == null) {
                sweepTable = 0;
                sweepSlot = 0;
                table = table(0);
            }
            int from = sweepSlot;
            int to = Math.min(table.slots(), from + maxSlots);
            expired = table.expiredNames(from, to, nowMillis);
            if (to == table.slots()) {
                sweepTable++;
                sweepSlot = 0;
            } else {
                sweepSlot = to;
            }
            examined = to - from;
        }
        if (expired.isEmpty()) {
            return new SweepStep(examined, 0);
        }
        if (naming.lock()) {
            tidyAfterDeadNamer();
        }
        try {
            return new SweepStep(examined, freeExpired(expired, nowMillis));
        } finally {
            naming.unlock();
        }
    }

    /** Counter names in use (an expired counter's until its slot is freed). */
    long named() {
        return header.countersNamed();
    }

    /** The names of the live counters of every table; lock-free, so names made or removed meanwhile may or may not be in it. */
    Set<String> liveNames() {
        Set<String> names = new HashSet<>();
        long now = System.currentTimeMillis();
        for (int index = 0; table(index) != null; index++) {
            names.addAll(table(index).liveNames(now));
        }
        return names;
    }

    /** The value and expiry of a live counter's slot at one instant, or null once it is no longer live. */
    static CounterReading read(Slot slot) {
        while (true) {
            long expiresAt = slot.table().expiresAt(slot.offset());
            long value = slot.table().file().getLongVolatile(slot.offset() + CounterSlots.VALUE);
            if (!live(slot)) {
                return null;
            }
            if (slot.table().expiresAt(slot.offset()) == expiresAt) {
                return new CounterReading(value, expiresAt);
            }
            // The expiry changed between the two reads (expire or persist): read both again.
        }
    }

    /** The slot holding the name, expired or not, or null. */
    private Slot find(byte[] name, int hash) {
        for (int index = 0; ; index++) {
            CounterSlots table = table(index);
            if (table == null) {
                return null;
            }
            CounterSlots.Probe probe = table.probe(name, hash, -1);
            if (probe.matchOffset() >= 0) {
                return new Slot(table, probe.matchOffset(), probe.matchIncarnation());
            }
            if (probe.metFree()) {
                return null;
            }
        }
    }

    private Slot nameUnderLock(String name, byte[] bytes, long timeToLiveMillis) {
        int hash = hash(name);
        CounterSlots reuseTable = null;
        int reuseOffset = -1;
        long now = System.currentTimeMillis();
        for (int index = 0; ; index++) {
            CounterSlots table = table(index);
            if (table == null) {
                break;
            }
            CounterSlots.Probe probe = table.probe(bytes, hash, REUSE_GRACE.toMillis());
            if (probe.matchOffset() >= 0) {
                Slot match = new Slot(table, probe.matchOffset(), probe.matchIncarnation());
                if (live(match, now)) {
                    return match;
                }
                // Expired: a tombstone like a removed counter (handles on it see the incarnation
                // go), and the name goes to another slot, so no late add lands on the new window.
                table.remove(match.offset(), pid);
                header.addCountersNamed(-1);
                index--;
                continue;
            }
            if (reuseOffset < 0 && probe.reusableOffset() >= 0) {
                reuseTable = table;
                reuseOffset = probe.reusableOffset();
            }
            if (probe.metFree()) {
                break;
            }
        }
        long max = header.maxCounters();
        if (max > 0 && header.countersNamed() >= max) {
            sweepExpiredUnderLock(now);
        }
        if (max > 0 && header.countersNamed() >= max) {
            throw new StoreFullException("no room for counter '" + name + "': " + header.countersNamed()
                    + " counter names are in use, the most this store takes (maxCounters=" + max + ") in " + store.path());
        }
        if (reuseOffset < 0) {
            reuseTable = addTable();
            reuseOffset = reuseTable.probe(bytes, hash, REUSE_GRACE.toMillis()).reusableOffset();
        }
        int incarnation = header.nextCounterIncarnation();
        reuseTable.name(reuseOffset, bytes, incarnation, pid, timeToLiveMillis > 0 ? now + timeToLiveMillis : 0);
        header.addCountersNamed(1);
        return new Slot(reuseTable, reuseOffset, incarnation);
    }

    /** Frees every expired counter's slot; the caller holds the naming lock. */
    private void sweepExpiredUnderLock(long nowMillis) {
        for (int index = 0; table(index) != null; index++) {
            CounterSlots table = table(index);
            freeExpired(table.expiredNames(0, table.slots(), nowMillis), nowMillis);
        }
    }

    /** Makes tombstones of the named counters that are still expired; the caller holds the naming lock. */
    private int freeExpired(List<String> names, long nowMillis) {
        int freed = 0;
        for (String name : names) {
            Slot found = find(name.getBytes(StandardCharsets.UTF_8), hash(name));
            if (found != null && !live(found, nowMillis)) {
                found.table().remove(found.offset(), pid);
                header.addCountersNamed(-1);
                freed++;
            }
        }
        return freed;
    }

    private void tidyAfterDeadNamer() {
        for (int index = 0; table(index) != null; index++) {
            table(index).tidyAfterDeadNamer();
        }
        // The dead namer may have changed a slot without counting it: count what the tables hold.
        long named = 0;
        Map<String, String> seen = new HashMap<>();
        for (int index = 0; table(index) != null; index++) {
            named += table(index).check(new ArrayList<>(), seen, CounterTables::hash);
        }
        header.addCountersNamed(named - header.countersNamed());
    }

    /** The table, mapping it when another process added it; null past the last. */
    private synchronized CounterSlots table(int index) {
        if (index < tables.size()) {
            return tables.get(index);
        }
        if (index > header.counterOverflowTables()) {
            return null;
        }
        while (tables.size() <= index) {
            tables.add(mapOverflow(tables.size()));
        }
        return tables.get(index);
    }

    private CounterSlots mapOverflow(int index) {
        Path path = overflowPath(store.path(), index);
        try {
            FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
            ByteBuffer head = ByteBuffer.allocate(FILE_HEADER).order(ByteOrder.LITTLE_ENDIAN);
            channel.read(head, 0);
            byte[] id = new byte[StoreHeader.STORE_ID_LENGTH];
            head.get(16, id);
            if (head.getLong(0) != MAGIC || !Arrays.equals(id, header.storeId())) {
                channel.close();
                throw new HearthException("counter table " + path + " is not this store's (its magic or store id differs)");
            }
            int slots = head.getInt(8);
            channels.add(channel);
            MappedFile mapped = new MappedFile(path, channel.map(FileChannel.MapMode.READ_WRITE, 0,
                    FILE_HEADER + (long) slots * CounterSlots.SLOT_LENGTH));
            return new CounterSlots(mapped, FILE_HEADER, slots, index);
        } catch (IOException e) {
            throw new HearthException("cannot map counter table " + path + " that the store header counts: " + e.getMessage(), e);
        }
    }

    /** Builds, renames into place and publishes the next overflow table; the caller holds the naming lock. */
    private CounterSlots addTable() {
        int index = tables.size();
        int slots = store.layout().counterSlots() << Math.min(index, 16);
        Path path = overflowPath(store.path(), index);
        Path creating = Path.of(path + ".creating");
        long bytes = FILE_HEADER + (long) slots * CounterSlots.SLOT_LENGTH;
        try {
            Files.deleteIfExists(creating);
            try (FileChannel channel = FileChannel.open(creating, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    PosixFilePermissions.asFileAttribute(StoreOpener.OWNER_ONLY))) {
                ByteBuffer head = ByteBuffer.allocate(FILE_HEADER).order(ByteOrder.LITTLE_ENDIAN)
                        .putLong(0, MAGIC).putInt(8, slots).put(16, header.storeId());
                channel.write(head, 0);
                ByteBuffer zeros = ByteBuffer.allocate(64 * 1024);
                for (long position = FILE_HEADER; position < bytes; ) {
                    zeros.clear().limit((int) Math.min(zeros.capacity(), bytes - position));
                    position += channel.write(zeros, position);
                }
                channel.force(true);
            }
            // A table left by an addition cut short after its rename was never counted: nobody uses it.
            Files.move(creating, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(creating);
            } catch (IOException ignored) {
                // the failure below is what matters
            }
            if (DiskSpace.isOutOfSpace(e)) {
                throw new StoreFullException("no room on the file system for counter table " + path + ": it needs " + bytes
                        + " bytes" + DiskSpace.usable(path) + "; no counter was named, the existing ones work on", e);
            }
            throw new HearthException("cannot create counter table " + path + ": " + e.getMessage(), e);
        }
        header.publishCounterOverflowTables(index);
        return table(index);
    }

    /** Adds a line for each problem of every table; returns the names found. */
    int check(List<String> problems) {
        Map<String, String> seen = new HashMap<>();
        int names = 0;
        for (int index = 0; table(index) != null; index++) {
            names += table(index).check(problems, seen, CounterTables::hash);
        }
        if (names != header.countersNamed()) {
            problems.add("the header counts " + header.countersNamed() + " counter names but " + names + " are in the tables");
        }
        return names;
    }

    @Override
    public synchronized void close() {
        for (FileChannel channel : channels) {
            try {
                channel.close(); // the mappings stay valid until collected
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
