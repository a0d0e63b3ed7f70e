package io.hearth.file;

import io.hearth.StoreFullException;
import io.hearth.spi.StoreBackend;
import io.hearth.spi.StoredEntry;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import net.openhft.chronicle.hash.Data;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ExternalMapQueryContext;
import net.openhft.chronicle.map.MapEntry;
import net.openhft.chronicle.map.MapSegmentContext;

/**
 * Reads and writes of map entries in the entries file ({@link EntriesFile}): the hot path.
 *
 * <p>Every Chronicle call, reads included, runs holding the {@link MapLockTable} stripe of its
 * segment, and the lock covers only byte copies, one atomic add for the version, and the
 * entry-count check: no JSON, no user code. Every write is recorded in the stripe's
 * {@link RedoJournal} slot first, so a process that finds the holder dead can repair the segment
 * and finish the write ({@link LiveRepair}). Versions come from the store-wide sequence in the
 * store header, so they are unique and grow with every write.
 */
final class EntryStore implements AutoCloseable {
    static final long ANY = StoreBackend.ANY;
    static final long ABSENT = StoreBackend.ABSENT;
    static final long CONFLICT = StoreBackend.CONFLICT;

    private static final VarHandle VERSION = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final ChronicleMap<String, byte[]> map;
    private final EntriesFile entriesFile;
    private final StoreHeader header;
    private final Path storePath;
    private final long maxEntries;
    private final MapLockTable locks;
    private final RedoJournal journal;
    private final EntriesSpace space;

    EntryStore(ChronicleMap<String, byte[]> map, EntriesFile entriesFile, StoreFile store, MapLockTable locks, RedoJournal journal,
               EntriesSpace space) {
        this.map = map;
        this.entriesFile = entriesFile;
        this.header = store.header();
        this.storePath = store.path();
        this.maxEntries = store.layout().maxEntries();
        this.locks = locks;
        this.journal = journal;
        this.space = space;
    }

    /**
     * The stored entry, or null.
     *
     * @throws io.hearth.HearthException naming the map, the key and the file, when the entry's checksum fails
     */
    StoredEntry get(String compositeKey) {
        return locked(compositeKey, (context, stripe) -> {
            context.updateLock().lock(); // verifying the checksum needs it; Chronicle cannot upgrade a read lock
            MapEntry<String, byte[]> entry = context.entry();
            if (entry == null) {
                return null;
            }
            if (!EntryChecksum.holds(entry)) {
                throw EntryChecksum.damaged(compositeKey, entriesFile.path(), storePath);
            }
            Data<byte[]> value = entry.value();
            byte[] json = new byte[Math.toIntExact(value.size() - Long.BYTES)];
            value.bytes().read(value.offset() + Long.BYTES, json, 0, json.length);
            return new StoredEntry(versionOf(value), json);
        });
    }

    /**
     * Writes json under the key if its current version is {@code expected} ({@link #ANY}: any,
     * {@link #ABSENT}: only if absent).
     *
     * @return the new version, or {@link #CONFLICT} when the current version differed
     */
    long write(String compositeKey, long expected, byte[] json) {
        byte[] value = new byte[Long.BYTES + json.length];
        System.arraycopy(json, 0, value, Long.BYTES, json.length);
        return locked(compositeKey, (context, stripe) -> {
            context.updateLock().lock();
            MapEntry<String, byte[]> entry = context.entry();
            long current = entry == null ? ABSENT : versionOf(entry.value());
            if (expected != ANY && current != expected) {
                return CONFLICT;
            }
            if (entry == null || entry.value().size() < value.length) {
                space.ensureRoomForATier(); // before a byte is written: it may refuse
            }
            if (entry == null) {
                reserveEntry();
            }
            long version = header.nextVersion();
            VERSION.set(value, 0, version);
            journal.recordPut(stripe, compositeKey, value);
            try {
                if (entry == null) {
                    context.insert(context.absentEntry(), context.wrapValueAsData(value));
                } else {
                    context.replaceValue(entry, context.wrapValueAsData(value));
                }
            } catch (RuntimeException e) {
                if (entry == null) {
                    header.addEntries(-1);
                }
                throw translate(e);
            }
            return version;
        });
    }

    /**
     * Removes the key if its current version is {@code expected} ({@link #ANY}: any version).
     *
     * @return what was removed, or null when absent or the version differed
     */
    StoredEntry remove(String compositeKey, long expected) {
        return locked(compositeKey, (context, stripe) -> {
            context.updateLock().lock();
            MapEntry<String, byte[]> entry = context.entry();
            if (entry == null) {
                return null;
            }
            long current = versionOf(entry.value());
            if (expected != ANY && current != expected) {
                return null;
            }
            byte[] raw = entry.value().get();
            journal.recordRemove(stripe, compositeKey);
            context.remove(entry);
            header.addEntries(-1);
            return new StoredEntry(current, Arrays.copyOfRange(raw, Long.BYTES, raw.length));
        });
    }

    /** The id of the store this entries file belongs to ({@link EntriesFile#ID_KEY}), or null when it has none. */
    byte[] storeId() {
        return locked(EntriesFile.ID_KEY, (context, stripe) -> {
            MapEntry<String, byte[]> entry = context.entry();
            return entry == null ? null : entry.value().get();
        });
    }

    /** Calls action with each key of the map, without the map prefix; a weakly consistent walk. */
    void forEachKey(String mapName, Consumer<String> action) {
        String prefix = CompositeKeys.prefix(mapName);
        List<String> keys = new ArrayList<>();
        forEachEntry(entry -> {
            String compositeKey = entry.key().get();
            if (compositeKey.startsWith(prefix)) {
                keys.add(compositeKey.substring(prefix.length()));
            }
        });
        keys.forEach(action);
    }

    /** Map entries over all maps, as the header counts them. */
    long count() {
        return header.entryCount();
    }

    /** One Chronicle call on the key's segment, holding that segment's stripe. */
    private <T> T locked(String compositeKey, BiFunction<ExternalMapQueryContext<String, byte[], ?>, Integer, T> call) {
        while (true) {
            ExternalMapQueryContext<String, byte[], ?> context = map.queryContext(compositeKey);
            int stripe;
            boolean locked;
            try {
                stripe = locks.stripeOf(context.segmentIndex());
                locked = locks.lock(stripe);
            } catch (RuntimeException | Error e) {
                context.close();
                throw e;
            }
            if (!locked) {
                context.close(); // the recoverer must be the only Chronicle context of its thread
                locks.repairAfterDeadHolder();
                continue;
            }
            try {
                // Chronicle finishes a write when the context closes (it stores the entry's checksum,
                // then releases its lock): only then is the journal cleared and our stripe released.
                try (context) {
                    return call.apply(context, stripe);
                }
            } finally {
                journal.clear(stripe);
                locks.unlock(stripe);
            }
        }
    }

    /** Calls visit with each entry of one segment at a time, holding that segment's stripe. */
    private void forEachEntry(Consumer<MapEntry<String, byte[]>> visit) {
        for (int segment = 0; segment < map.segments(); segment++) {
            int stripe = locks.stripeOf(segment);
            while (!locks.lock(stripe)) {
                locks.repairAfterDeadHolder();
            }
            try (MapSegmentContext<String, byte[], ?> context = map.segmentContext(segment)) {
                context.forEachSegmentEntry(visit);
            } finally {
                locks.unlock(stripe);
            }
        }
    }

    static long versionOf(Data<byte[]> value) {
        return value.bytes().readLong(value.offset());
    }

    /** Counts a new entry in, or refuses it when the store holds maxEntries already. */
    private void reserveEntry() {
        while (true) {
            long count = header.entryCount();
            if (count >= maxEntries) {
                throw new StoreFullException("store is full: it holds " + count + " entries, its capacity is "
                        + maxEntries + " (maxEntries) in " + storePath);
            }
            if (header.compareAndSetEntryCount(count, count + 1)) {
                return;
            }
        }
    }

    private RuntimeException translate(RuntimeException e) {
        if (DiskSpace.isOutOfSpace(e)) {
            space.afterChronicleFailedToAllocate();
            return new StoreFullException("no room on the file system for the entries file " + entriesFile.path()
                    + ": " + e.getCause() + DiskSpace.usable(entriesFile.path())
                    + "; nothing was written, and writing works again once there is room", e);
        }
        if (e instanceof IllegalStateException && String.valueOf(e.getMessage()).contains("segment tier")) {
            return new StoreFullException("store is full: " + count() + " entries of capacity " + maxEntries
                    + " (maxEntries), but the entries' sizes filled the file " + entriesFile.path()
                    + "; store smaller values or create the store with a larger expectedValueBytes", e);
        }
        return e;
    }

    @Override
    public void close() {
        try {
            map.close();
        } finally {
            space.close();
        }
    }
}
