package io.hearth.file;

import io.hearth.HearthException;
import io.hearth.StoreFullException;
import io.hearth.spi.StoreBackend;
import io.hearth.spi.StoredEntry;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The records of Hearth's own maps (names beginning with U+0001: who holds each lock and
 * leadership), kept in the store file apart from the entries. A lock changes hands when its holder
 * dies; were its record an entry, the next holder would first wait for the repair of whatever map
 * segment the dead holder was writing (Chronicle's recovery: tens of milliseconds). Here nothing
 * needs repair: a change is made ready where no reader looks and then published by one store of
 * the slot's commit word, so a process killed at any instant leaves every record as it was.
 *
 * <pre>
 *   from {@link StoreLayout#lockRecordsOffset()}:
 *   0    guard (long): 0 free, else the owner word ({@link MapLockTable#ownerWord}) of the process changing a record
 *   8    version sequence (long): the newest version handed to a record (apart from the header's, so that lock
 *        traffic neither moves the read caches' proof nor passes through the change log)
 *   16   unused up to {@link #HEADER_LENGTH}
 *   64   {@link #SLOTS} slots x {@link #slotLength(int)} bytes, each:
 *     0    commit (long): 0 never used; else version &lt;&lt; 2 | bound &lt;&lt; 1 | live copy (bound 0: a removed record)
 *     8    key length (int)      12 unused
 *     16   key: map name, NUL, key in UTF-8, room for {@link StoreLayout#maxCompositeKeyBytes()} bytes
 *     then copy 0 and copy 1, each a value length (int) and room for {@link #MAX_VALUE_BYTES} bytes
 * </pre>
 *
 * Every change holds the guard ({@link OwnerLock}), taken over by a waiter from a process that
 * died holding it: whatever that process had half written is in a copy or slot no
 * commit word points at. A write fills the copy that is not live, then flips the commit word.
 * Readers take no lock: they read a slot between two reads of its commit word, again if it moved.
 * A key's slot is found from its hash, probing past removed records to a never-used slot.
 */
final class LockRecords {
    static final int SLOTS = 1024;
    /** A holder record ({@code [pid,start,"token"]}) is under 80 bytes. */
    static final int MAX_VALUE_BYTES = 128;
    static final int HEADER_LENGTH = 64;
    static final int GUARD = 0;
    private static final int VERSION_SEQUENCE = 8;
    static final int COMMIT = 0;
    static final int KEY_LENGTH = 8;
    static final int KEY = 16;
    private static final long BOUND = 2;
    private static final long LIVE_COPY = 1;
    private static final int COPY_LENGTH = Integer.BYTES + MAX_VALUE_BYTES;

    private final MappedFile file;
    private final int regionOffset;
    private final int maxKeyBytes;
    private final int slotLength;
    private final OwnerLock guard;

    LockRecords(StoreFile store, long pid) {
        this.file = store.mapped();
        this.regionOffset = Math.toIntExact(store.layout().lockRecordsOffset());
        this.maxKeyBytes = store.layout().maxCompositeKeyBytes();
        this.slotLength = slotLength(maxKeyBytes);
        this.guard = new OwnerLock(file, regionOffset + GUARD, pid, "lock records");
    }

    static int slotLength(int maxCompositeKeyBytes) {
        int raw = KEY + maxCompositeKeyBytes + 2 * COPY_LENGTH;
        return (raw + 63) & ~63;
    }

    static long regionLength(int maxCompositeKeyBytes) {
        return HEADER_LENGTH + (long) SLOTS * slotLength(maxCompositeKeyBytes);
    }

    StoredEntry get(String map, String key) {
        byte[] wanted = compositeKey(map, key);
        int slot = find(wanted);
        if (slot < 0) {
            return null;
        }
        Seen seen = read(slot);
        return seen.holds(wanted) ? new StoredEntry(seen.version(), seen.value(), StoreBackend.NO_EXPIRY) : null;
    }

    /**
     * Writes json if the record's version is expectedVersion ({@link StoreBackend#ANY},
     * {@link StoreBackend#ABSENT}, or a version).
     *
     * @return the new version, or {@link StoreBackend#CONFLICT}
     * @throws StoreFullException when the record is new and every slot holds one
     */
    long write(String map, String key, long expectedVersion, byte[] json) {
        if (json.length > MAX_VALUE_BYTES) {
            throw new IllegalArgumentException("a record of Hearth's own map '" + printable(map) + "' is " + json.length
                    + " bytes, over the limit of " + MAX_VALUE_BYTES);
        }
        byte[] wanted = compositeKey(map, key);
        return guarded(() -> {
            int slot = find(wanted);
            if (slot >= 0) {
                Seen seen = read(slot);
                if (expectedVersion != StoreBackend.ANY && expectedVersion != seen.version()) {
                    return StoreBackend.CONFLICT;
                }
                int base = slotOffset(slot);
                long copy = 1 - (seen.commit() & LIVE_COPY);
                fillCopy(base, (int) copy, json);
                long version = nextVersion();
                file.setLongRelease(base + COMMIT, version << 2 | BOUND | copy);
                return version;
            }
            if (expectedVersion != StoreBackend.ANY && expectedVersion != StoreBackend.ABSENT) {
                return StoreBackend.CONFLICT;
            }
            int free = -1 - slot;
            if (free == SLOTS) {
                throw new StoreFullException("the lock records of " + file.path() + " are full: " + SLOTS
                        + " locks and leaderships are held at once; release some first");
            }
            int base = slotOffset(free);
            file.setIntPlain(base + KEY_LENGTH, wanted.length);
            file.putBytes(base + KEY, wanted);
            fillCopy(base, 0, json);
            long version = nextVersion();
            file.setLongRelease(base + COMMIT, version << 2 | BOUND);
            return version;
        });
    }

    /**
     * Removes the record if its version is expectedVersion ({@link StoreBackend#ANY} or a version).
     *
     * @return what was removed, or null when absent or the version differed
     */
    StoredEntry remove(String map, String key, long expectedVersion) {
        byte[] wanted = compositeKey(map, key);
        StoredEntry[] removed = new StoredEntry[1];
        guarded(() -> {
            int slot = find(wanted);
            if (slot < 0) {
                return 0;
            }
            Seen seen = read(slot);
            if (expectedVersion != StoreBackend.ANY && expectedVersion != seen.version()) {
                return 0;
            }
            int base = slotOffset(slot);
            long version = nextVersion(); // a removal takes a version, as in the entries
            file.setLongRelease(base + COMMIT, version << 2 | (seen.commit() & LIVE_COPY));
            forgetTrailingRemovals(slot);
            removed[0] = new StoredEntry(seen.version(), seen.value(), StoreBackend.NO_EXPIRY);
            return 0;
        });
        return removed[0];
    }

    void forEachKey(String map, Consumer<String> action) {
        byte[] prefix = compositeKey(map, "");
        for (int slot = 0; slot < SLOTS; slot++) {
            Seen seen = read(slot);
            if (seen.key() != null && startsWith(seen.key(), prefix)) {
                action.accept(new String(seen.key(), prefix.length, seen.key().length - prefix.length, StandardCharsets.UTF_8));
            }
        }
    }

    /** The names of the maps with at least one record. */
    Set<String> mapNames() {
        Set<String> names = new TreeSet<>();
        for (int slot = 0; slot < SLOTS; slot++) {
            Seen seen = read(slot);
            if (seen.key() != null) {
                String composite = new String(seen.key(), StandardCharsets.UTF_8);
                names.add(composite.substring(0, Math.max(0, composite.indexOf(CompositeKeys.SEPARATOR))));
            }
        }
        return names;
    }

    /** Adds a line for each damaged slot, and when the guard is held by a process that is gone. */
    void check(List<String> problems) {
        for (int slot = 0; slot < SLOTS; slot++) {
            try {
                read(slot);
            } catch (HearthException e) {
                problems.add(e.getMessage());
            }
        }
        long held = file.getLongVolatile(regionOffset + GUARD);
        if (held != 0 && !MapLockTable.ownerAlive(held)) {
            problems.add("the lock records' guard is held by process " + MapLockTable.pidOf(held)
                    + ", which is gone (the next change to a lock takes it over; nothing needs repair)");
        }
    }

    /**
     * The slot holding key; when none does, -1 - the slot a new record of it would take (the
     * first removed or never-used slot on its probe), or -1 - {@link #SLOTS} when there is none.
     */
    private int find(byte[] key) {
        int start = Arrays.hashCode(key) * 0x9E3779B9 >>> (Integer.SIZE - Integer.numberOfTrailingZeros(SLOTS));
        int firstRemoved = -1;
        for (int probe = 0; probe < SLOTS; probe++) {
            int slot = (start + probe) & (SLOTS - 1);
            Seen seen = read(slot);
            if (seen.commit() == 0) {
                return -1 - (firstRemoved >= 0 ? firstRemoved : slot);
            }
            if (seen.key() == null) {
                firstRemoved = firstRemoved >= 0 ? firstRemoved : slot;
            } else if (Arrays.equals(seen.key(), key)) {
                return slot;
            }
        }
        return -1 - (firstRemoved >= 0 ? firstRemoved : SLOTS);
    }

    /**
     * Turns removed records before a never-used slot into never-used ones, so that probes stop
     * early again: a record is only ever placed before the first never-used slot of its probe,
     * so none lies past them. Holding the guard.
     */
    private void forgetTrailingRemovals(int removedSlot) {
        if (file.getLongVolatile(slotOffset((removedSlot + 1) & (SLOTS - 1)) + COMMIT) != 0) {
            return;
        }
        for (int slot = removedSlot, steps = 0; steps < SLOTS; slot = (slot - 1) & (SLOTS - 1), steps++) {
            int base = slotOffset(slot);
            long commit = file.getLongVolatile(base + COMMIT);
            if (commit == 0 || (commit & BOUND) != 0) {
                return;
            }
            file.setLongRelease(base + COMMIT, 0);
        }
    }

    /** The slot as it was at one instant. */
    private Seen read(int slot) {
        int base = slotOffset(slot);
        for (int spins = 0; ; spins++) {
            long commit = file.getLongAcquire(base + COMMIT);
            if ((commit & BOUND) == 0) {
                return new Seen(commit, null, null);
            }
            int keyLength = file.getIntPlain(base + KEY_LENGTH);
            int copy = copyOffset(base, (int) (commit & LIVE_COPY));
            int valueLength = file.getIntPlain(copy);
            boolean plausible = keyLength > 0 && keyLength <= maxKeyBytes && valueLength >= 0 && valueLength <= MAX_VALUE_BYTES;
            byte[] key = plausible ? file.getBytes(base + KEY, keyLength) : null;
            byte[] value = plausible ? file.getBytes(copy + Integer.BYTES, valueLength) : null;
            VarHandle.acquireFence(); // the reads above happen before the check below
            if (file.getLongVolatile(base + COMMIT) == commit) {
                if (!plausible) {
                    throw new HearthException("lock record slot " + slot + " of " + file.path() + " is damaged: key length "
                            + keyLength + " (most " + maxKeyBytes + "), value length " + valueLength + " (most " + MAX_VALUE_BYTES + ")");
                }
                return new Seen(commit, key, value);
            }
            MapLockTable.pause(spins);
        }
    }

    /** Holding the guard. */
    private long nextVersion() {
        return file.getAndAddLong(regionOffset + VERSION_SEQUENCE, 1) + 1;
    }

    private void fillCopy(int base, int copy, byte[] json) {
        int offset = copyOffset(base, copy);
        file.setIntPlain(offset, json.length);
        file.putBytes(offset + Integer.BYTES, json);
    }

    private long guarded(LongSupplier change) {
        guard.lock(); // taken over from a dead owner, the guard needs no tidying: nothing it wrote is published
        try {
            return change.getAsLong();
        } finally {
            guard.unlock();
        }
    }

    int slotOffset(int slot) {
        return regionOffset + HEADER_LENGTH + slot * slotLength;
    }

    int copyOffset(int base, int copy) {
        return base + KEY + maxKeyBytes + copy * COPY_LENGTH;
    }

    private byte[] compositeKey(String map, String key) {
        byte[] composite = CompositeKeys.of(map, key).getBytes(StandardCharsets.UTF_8);
        if (composite.length > maxKeyBytes) {
            throw new IllegalArgumentException("the key of Hearth's own map '" + printable(map) + "' is " + composite.length
                    + " bytes with its map's name, over the limit of " + maxKeyBytes);
        }
        return composite;
    }

    private static String printable(String map) {
        return map.replace("\u0001", "");
    }

    private static boolean startsWith(byte[] bytes, byte[] prefix) {
        return bytes.length >= prefix.length && Arrays.equals(bytes, 0, prefix.length, prefix, 0, prefix.length);
    }

    /** A slot read at one instant: key and value null when it holds no record. */
    private record Seen(long commit, byte[] key, byte[] value) {
        long version() {
            return commit >>> 2;
        }

        boolean holds(byte[] wanted) {
            return key != null && Arrays.equals(key, wanted);
        }
    }
}
