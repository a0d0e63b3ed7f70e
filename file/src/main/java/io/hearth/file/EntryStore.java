package io.hearth.file;

import io.hearth.StoreFullException;
import io.hearth.spi.StoreBackend;
import io.hearth.spi.StoredEntry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import net.openhft.chronicle.hash.Data;
import net.openhft.chronicle.map.ExternalMapQueryContext;
import net.openhft.chronicle.map.MapEntry;
import net.openhft.chronicle.map.MapSegmentContext;

/**
 * Reads and writes of map entries in the shards of the entries ({@link EntryShards}, each an
 * {@link EntriesFile}): the hot path. A store grows by splitting a shard ({@link ShardSplit}) once
 * its entries fill three quarters of its shards; a write that finds the store due runs the split
 * first, holding every stripe for the time it takes to move half a shard.
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

    private static final System.Logger LOG = System.getLogger(EntryStore.class.getName());

    /** One Chronicle call on a key's segment, holding its stripe. */
    private interface Call<T> {
        T apply(EntryShards.Shard shard, ExternalMapQueryContext<String, byte[], ?> context, int stripe);
    }

    private final EntryShards shards;
    private final ShardSplit split;
    private final StoreHeader header;
    private final Path storePath;
    private final long maxEntries;
    private final MapLockTable locks;
    private final RedoJournal journal;
    /** Where every write and removal is recorded, or null when the store has no change log. */
    private final ChangeRing changes;
    /** Why the last growth failed, and until when not to try again (a full disk fails fast, but not for free). */
    private volatile RuntimeException growthFailure;
    private volatile long noGrowthUntilNanos;

    EntryStore(EntryShards shards, ShardSplit split, StoreFile store, MapLockTable locks, RedoJournal journal,
               ChangeRing changes) {
        this.changes = changes;
        this.shards = shards;
        this.split = split;
        this.header = store.header();
        this.storePath = store.path();
        this.maxEntries = store.layout().maxEntries();
        this.locks = locks;
        this.journal = journal;
    }

    /**
     * The stored entry, or null.
     *
     * @throws io.hearth.HearthException naming the map, the key and the file, when the entry's checksum fails
     */
    StoredEntry get(String compositeKey) {
        return verifiedGet(compositeKey);
    }

    /**
     * The stored entry, or null; {@link StoreBackend#UNCHANGED} when the live entry's version is
     * knownVersion and its expiry knownExpiresAt. That answer reads the entry through Chronicle's
     * {@code get} under the key's stripe and does not verify its checksum: the value the caller
     * holds was verified when it was read, and a version or expiry that damage changed sends the
     * call down the verified path (docs/GUARANTEES.md, "Damage the check finds"). Any other answer
     * comes from {@link #get}, verified, in a second look-up.
     *
     * @throws io.hearth.HearthException naming the map, the key and the file, when the entry's checksum fails
     */
    StoredEntry getIfChanged(String compositeKey, long knownVersion, long knownExpiresAt) {
        if (knownVersion == ABSENT) {
            return verifiedGet(compositeKey);
        }
        byte[] value = unverifiedGet(compositeKey);
        if (value == null) {
            return null;
        }
        if (value.length >= EntryValue.HEADER && EntryValue.version(value) == knownVersion
                && EntryValue.expiresAt(value) == knownExpiresAt
                && !EntryValue.expired(knownExpiresAt, System::currentTimeMillis)) {
            return StoreBackend.UNCHANGED;
        }
        return verifiedGet(compositeKey);
    }

    /**
     * The value bytes stored under the key (version, expiry, JSON), or null, read by Chronicle's
     * {@code get} holding the key's stripe, without verifying the entry's checksum.
     */
    private byte[] unverifiedGet(String compositeKey) {
        while (true) {
            long routing = header.routing();
            EntryShards.Shard shard = shards.forKey(compositeKey, routing);
            int stripe = locks.stripeOf(shard.index(), KeySegments.segmentOf(shard.map(), compositeKey));
            if (!locks.lock(stripe)) {
                locks.repairAfterDeadHolder();
                continue;
            }
            try {
                if (header.routing() == routing) {
                    return shard.map().get(compositeKey);
                }
                // A split moved the routing between our look and our lock: look again.
            } finally {
                locks.unlock(stripe);
            }
        }
    }

    /** The stored entry, or null, its checksum verified. */
    private StoredEntry verifiedGet(String compositeKey) {
        return locked(compositeKey, (shard, context, stripe) -> {
            context.updateLock().lock(); // verifying the checksum needs it; Chronicle cannot upgrade a read lock
            MapEntry<String, byte[]> entry = context.entry();
            if (entry == null) {
                return null;
            }
            if (!EntryChecksum.holds(entry)) {
                throw EntryChecksum.damaged(compositeKey, shard.file().path(), storePath);
            }
            Data<byte[]> value = entry.value();
            long expiresAt = EntryValue.expiresAt(value);
            if (EntryValue.expired(expiresAt, System::currentTimeMillis)) {
                return null;
            }
            byte[] json = new byte[Math.toIntExact(value.size() - EntryValue.HEADER)];
            value.bytes().read(value.offset() + EntryValue.JSON, json, 0, json.length);
            return new StoredEntry(EntryValue.version(value), json, expiresAt);
        });
    }

    /**
     * Writes json under the key if its current version is {@code expected} ({@link #ANY}: any,
     * {@link #ABSENT}: only if absent or expired), expiring at expiresAt
     * ({@link StoreBackend#NO_EXPIRY}, or {@link StoreBackend#KEEP_EXPIRY}: as the live entry does now).
     *
     * @return the new version, or {@link #CONFLICT} when the current version differed
     */
    long write(String compositeKey, long expected, byte[] json, long expiresAt) {
        growIfDue(false);
        byte[] value = EntryValue.of(json);
        try {
            return writeOnce(compositeKey, expected, value, expiresAt);
        } catch (ShardFullException full) {
            // The key's shard ran out of tiers before the store was due to grow (values larger than
            // expected, or the shard was next but one to split): split on until that shard is split.
            long start = header.routing();
            for (int splits = 0; splits <= 2 * ShardRouting.shards(start); splits++) {
                long before = header.routing();
                growIfDue(true);
                if (header.routing() == before || ShardRouting.splitSince(full.shard(), start, header.routing())) {
                    break; // could not grow, or the full shard has been split
                }
            }
            try {
                return writeOnce(compositeKey, expected, value, expiresAt);
            } catch (ShardFullException stillFull) {
                RuntimeException why = growthFailure;
                if (why != null && DiskSpace.isOutOfSpace(why)) {
                    throw new StoreFullException("no room on the file system to grow the entries of " + storePath + ": "
                            + why.getMessage() + "; the shard this key lives in is full; nothing was written, and writing"
                            + " works again once there is room", stillFull.refusal());
                }
                throw stillFull.refusal();
            }
        }
    }

    private long writeOnce(String compositeKey, long expected, byte[] value, long expiresAt) {
        byte[] keyUtf8 = compositeKey.getBytes(StandardCharsets.UTF_8); // once, for the journal and the change ring
        int repairs = 0;
        long firstRepairAt = 0; // the clock is read at the first dead holder only: most writes never meet one
        while (true) {
            try {
                return writeLocked(compositeKey, keyUtf8, expected, value, expiresAt);
            } catch (HolderDiedException died) {
                // Our stripe is released: repair after the dead holder, then write from the start.
                if (repairs++ == 0) {
                    firstRepairAt = System.nanoTime();
                } else if (System.nanoTime() - firstRepairAt > MapLockTable.LIVE_HOLDER_LIMIT.toNanos()) {
                    throw new io.hearth.StoreBusyException("a write to " + storePath + " has waited over "
                            + MapLockTable.LIVE_HOLDER_LIMIT.toSeconds() + " s for the repair after a dead process", died);
                }
                locks.repairAfterDeadHolder();
            }
        }
    }

    private long writeLocked(String compositeKey, byte[] keyUtf8, long expected, byte[] value, long expiresAt) {
        return locked(compositeKey, (shard, context, stripe) -> {
            context.updateLock().lock();
            MapEntry<String, byte[]> entry = context.entry();
            // An expired entry is absent to the write, whether or not the sweep has removed it yet.
            boolean live = entry != null && !EntryValue.expired(EntryValue.expiresAt(entry.value()), System::currentTimeMillis);
            long current = live ? EntryValue.version(entry.value()) : ABSENT;
            if (expected != ANY && current != expected) {
                return CONFLICT;
            }
            EntryValue.setExpiresAt(value, expiresAt != StoreBackend.KEEP_EXPIRY ? expiresAt
                    : live ? EntryValue.expiresAt(entry.value()) : StoreBackend.NO_EXPIRY);
            if (entry == null || entry.value().size() < value.length) {
                shard.space().ensureRoomForATier(locks); // before a byte is written: it may refuse
            }
            if (entry == null) {
                reserveEntry();
            }
            long version = header.nextVersion();
            EntryValue.setVersion(value, version);
            journal.recordPut(stripe, keyUtf8, value);
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
                if (changes != null) {
                    changes.recordNone(version);
                }
                throw translate(shard, e);
            }
            if (changes != null) {
                changes.recordWrite(version, keyUtf8, value);
            }
            return version;
        });
    }

    /**
     * Grows the store by a shard when its entries call for it (or, forced, because a shard is
     * full). A failure to grow (no disk) is logged: the write goes on in the shards there are.
     */
    private void growIfDue(boolean forced) {
        if (!forced && !split.due() || System.nanoTime() - noGrowthUntilNanos < 0) {
            return;
        }
        long routing = header.routing();
        long deadline = System.nanoTime() + MapLockTable.LIVE_HOLDER_LIMIT.toNanos();
        try {
            while (header.routing() == routing && !locks.runWithEveryStripe(forced ? split::splitNow : split::splitNext)) {
                // Another process is growing or repairing the store: once it is done, the routing has moved or not.
                if (System.nanoTime() - deadline > 0) {
                    throw new io.hearth.StoreBusyException("the process growing or repairing the entries of " + storePath
                            + " has been at it for over " + MapLockTable.LIVE_HOLDER_LIMIT.toSeconds() + " s");
                }
            }
            growthFailure = null;
        } catch (RuntimeException e) {
            growthFailure = e;
            noGrowthUntilNanos = System.nanoTime() + 100_000_000L;
            LOG.log(System.Logger.Level.WARNING, "cannot grow the entries of " + storePath + "; writing on in its "
                    + ShardRouting.shards(header.routing()) + " shards: " + e.getMessage());
        }
    }

    /**
     * Removes the key if its current version is {@code expected} ({@link #ANY}: any version). An
     * expired entry is absent: it is removed (its room comes back) but not returned.
     *
     * @return what was removed, or null when absent or the version differed
     */
    StoredEntry remove(String compositeKey, long expected) {
        return locked(compositeKey, (shard, context, stripe) -> {
            context.updateLock().lock();
            MapEntry<String, byte[]> entry = context.entry();
            if (entry == null) {
                return null;
            }
            boolean expired = EntryValue.expired(entry.value(), System.currentTimeMillis());
            if (!expired && expected != ANY && EntryValue.version(entry.value()) != expected) {
                return null;
            }
            byte[] raw = entry.value().get().clone(); // Chronicle reuses the array for its next read
            // The removal's own version moves the sequence, which read caches trust while it stands still.
            long version = header.nextVersion();
            journal.recordRemove(stripe, compositeKey, version, ChangeRing.KIND_REMOVAL);
            context.remove(entry);
            header.addEntries(-1);
            if (changes != null) {
                changes.recordRemoval(version, ChangeRing.KIND_REMOVAL, compositeKey);
            }
            return expired ? null : EntryValue.entry(raw);
        });
    }

    /**
     * Sets when the live entry expires, keeping its value and version.
     *
     * @return whether the entry existed (and had not expired)
     */
    boolean expire(String compositeKey, long expiresAt) {
        return locked(compositeKey, (shard, context, stripe) -> {
            context.updateLock().lock();
            MapEntry<String, byte[]> entry = context.entry();
            if (entry == null || EntryValue.expired(entry.value(), System.currentTimeMillis())) {
                return false;
            }
            byte[] value = entry.value().get().clone();
            if (EntryValue.expiresAt(value) == expiresAt) {
                return true;
            }
            EntryValue.setExpiresAt(value, expiresAt);
            long moved = header.nextVersion(); // the version stays, but the sequence moves: a read cache holds the old expiry
            if (changes != null) {
                changes.recordNone(moved);
            }
            journal.recordPut(stripe, compositeKey, value);
            try {
                context.replaceValue(entry, context.wrapValueAsData(value)); // the same size: in place
            } catch (RuntimeException e) {
                throw translate(shard, e);
            }
            return true;
        });
    }

    /**
     * Removes the expired entries of one segment of one shard, holding its stripe for that
     * segment only; each removal is journaled like any other, so a sweeper killed midway leaves
     * the segment to the usual repair. Returns what it saw.
     */
    SweepStep sweep(int shardIndex, int segment, long nowMillis) {
        List<EntryShards.Shard> all = shards.all();
        if (shardIndex >= all.size()) {
            return new SweepStep(0, 0);
        }
        EntryShards.Shard shard = all.get(shardIndex);
        if (segment >= shard.map().segments()) {
            return new SweepStep(0, 0);
        }
        int stripe = locks.stripeOf(shard.index(), segment);
        while (!locks.lock(stripe)) {
            locks.repairAfterDeadHolder();
        }
        int[] examined = new int[1];
        int[] removed = new int[1];
        try (MapSegmentContext<String, byte[], ?> context = shard.map().segmentContext(segment)) {
            context.forEachSegmentEntry(entry -> {
                String key = entry.key().get();
                if (key.equals(EntriesFile.ID_KEY)) {
                    return; // the reserved entry: the store id, no version, no expiry
                }
                examined[0]++;
                if (!EntryValue.expired(entry.value(), nowMillis)) {
                    return;
                }
                long version = header.nextVersion();
                journal.recordRemove(stripe, key, version, ChangeRing.KIND_EXPIRY);
                CreationSteps.reached("sweep-journaled");
                entry.doRemove();
                CreationSteps.reached("sweep-removed");
                if (changes != null) {
                    changes.recordRemoval(version, ChangeRing.KIND_EXPIRY, key);
                }
                journal.clear(stripe);
                header.addEntries(-1);
                removed[0]++;
            });
        } finally {
            journal.clear(stripe);
            locks.unlock(stripe);
        }
        return new SweepStep(examined[0], removed[0]);
    }

    /** The segments of each shard, for the sweep's cursor; a shard added later is seen on a later lap. */
    int[] segmentsPerShard() {
        return shards.all().stream().mapToInt(shard -> shard.map().segments()).toArray();
    }

    /**
     * Shards whose entries file does not hold this store's id ({@link EntriesFile#ID_KEY}):
     * copied from another store, or made anew under this header. Empty when every shard is this store's.
     */
    List<String> foreignShards(byte[] storeId) {
        List<String> foreign = new ArrayList<>();
        for (EntryShards.Shard shard : shards.all()) {
            byte[] found = shardLocked(shard, EntriesFile.ID_KEY, (context, stripe) -> {
                MapEntry<String, byte[]> entry = context.entry();
                return entry == null ? null : entry.value().get().clone();
            });
            if (!Arrays.equals(storeId, found)) {
                foreign.add(shard.file().path() + " (its store id is "
                        + (found == null ? "missing" : java.util.HexFormat.of().formatHex(found)) + ")");
            }
        }
        return foreign;
    }

    /** Calls action with each key of the map, once, without the map prefix; a weakly consistent walk. */
    void forEachKey(String mapName, Consumer<String> action) {
        String prefix = CompositeKeys.prefix(mapName);
        Set<String> keys = new LinkedHashSet<>(); // a split during the walk may show a key in two shards
        long now = System.currentTimeMillis();
        forEachEntry(entry -> {
            String compositeKey = entry.key().get();
            if (compositeKey.startsWith(prefix) && !EntryValue.expired(entry.value(), now)) {
                keys.add(compositeKey.substring(prefix.length()));
            }
        });
        keys.forEach(action);
    }

    /** Map entries over all maps, as the header counts them. */
    long count() {
        return header.entryCount();
    }

    /** The names of the maps with a live entry, Hearth's own included; a weakly consistent walk of every entry. */
    Set<String> mapNames() {
        Set<String> names = new HashSet<>();
        long now = System.currentTimeMillis();
        forEachEntry(entry -> {
            if (!EntryValue.expired(entry.value(), now)) {
                String compositeKey = entry.key().get();
                int separator = compositeKey.indexOf(CompositeKeys.SEPARATOR);
                if (separator > 0) {
                    names.add(compositeKey.substring(0, separator));
                }
            }
        });
        return names;
    }

    /** One Chronicle call on the key's segment, in the shard the routing sends it to, holding that segment's stripe. */
    private <T> T locked(String compositeKey, Call<T> call) {
        while (true) {
            long routing = header.routing();
            EntryShards.Shard shard = shards.forKey(compositeKey, routing);
            ExternalMapQueryContext<String, byte[], ?> context = shard.map().queryContext(compositeKey);
            int stripe;
            boolean locked;
            try {
                stripe = locks.stripeOf(shard.index(), context.segmentIndex());
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
            if (header.routing() != routing) {
                // A split moved the routing between our look and our lock (splits hold every stripe, so not since).
                context.close();
                locks.unlock(stripe);
                continue;
            }
            try {
                // Chronicle finishes a write when the context closes (it stores the entry's checksum,
                // then releases its lock): only then is the journal cleared and our stripe released.
                try (context) {
                    return call.apply(shard, context, stripe);
                }
            } finally {
                journal.clear(stripe);
                locks.unlock(stripe);
            }
        }
    }

    /** One Chronicle call on a key of a given shard (the reserved entries live in every shard). */
    private <T> T shardLocked(EntryShards.Shard shard, String key,
                              BiFunction<ExternalMapQueryContext<String, byte[], ?>, Integer, T> call) {
        while (true) {
            ExternalMapQueryContext<String, byte[], ?> context = shard.map().queryContext(key);
            int stripe = locks.stripeOf(shard.index(), context.segmentIndex());
            if (!locks.lock(stripe)) {
                context.close();
                locks.repairAfterDeadHolder();
                continue;
            }
            try {
                try (context) {
                    return call.apply(context, stripe);
                }
            } finally {
                journal.clear(stripe);
                locks.unlock(stripe);
            }
        }
    }

    /**
     * Calls visit with each entry of one segment at a time, holding that segment's stripe, shard
     * by shard; a shard added by a split during the walk is walked too.
     */
    private void forEachEntry(Consumer<MapEntry<String, byte[]>> visit) {
        Set<Integer> walked = new HashSet<>();
        for (List<EntryShards.Shard> all = shards.all(); walked.size() < all.size(); all = shards.all()) {
            for (EntryShards.Shard shard : all) {
                if (!walked.add(shard.index())) {
                    continue;
                }
                for (int segment = 0; segment < shard.map().segments(); segment++) {
                    int stripe = locks.stripeOf(shard.index(), segment);
                    while (!locks.lock(stripe)) {
                        locks.repairAfterDeadHolder();
                    }
                    try (MapSegmentContext<String, byte[], ?> context = shard.map().segmentContext(segment)) {
                        context.forEachSegmentEntry(visit);
                    } finally {
                        locks.unlock(stripe);
                    }
                }
            }
        }
    }

    /** Counts a new entry in, or refuses it when the store holds maxEntries (a cap the user set) already. */
    private void reserveEntry() {
        while (true) {
            long count = header.entryCount();
            if (maxEntries > 0 && count >= maxEntries) {
                throw new StoreFullException("store is full: it holds " + count + " entries, its capacity is "
                        + maxEntries + " (maxEntries) in " + storePath + "; the cap was set when the store was created");
            }
            if (header.compareAndSetEntryCount(count, count + 1)) {
                return;
            }
        }
    }

    private RuntimeException translate(EntryShards.Shard shard, RuntimeException e) {
        if (DiskSpace.isOutOfSpace(e)) {
            shard.space().afterChronicleFailedToAllocate(locks);
            return new StoreFullException("no room on the file system for the entries file " + shard.file().path()
                    + ": " + e.getCause() + DiskSpace.usable(shard.file().path())
                    + "; nothing was written, and writing works again once there is room", e);
        }
        if (e instanceof IllegalStateException && String.valueOf(e.getMessage()).contains("Failed to acquire the lock")) {
            // Chronicle spun 2 s on its tier allocation lock: a live process took it after our look, then died or stopped.
            if (locks.anyHolderDead()) {
                return new HolderDiedException();
            }
            return new io.hearth.StoreBusyException("the tier allocation lock of " + shard.file().path() + " has been held"
                    + " for over 2 s by a live process (stopped? being debugged?); nothing was written", e);
        }
        if (e instanceof IllegalStateException && String.valueOf(e.getMessage()).contains("segment tier")) {
            return new ShardFullException(shard.index(), new StoreFullException("store is full: shard " + shard.index() + " of "
                    + storePath + " (" + shard.file().path() + ") has no room left for an entry of this size, and the"
                    + " store could not grow (" + count() + " entries in " + ShardRouting.shards(header.routing())
                    + " shards" + DiskSpace.usable(shard.file().path()) + "); store smaller values, create the store with a"
                    + " larger expectedValueBytes, or make room on the disk", e));
        }
        return e;
    }

    /** A shard's tiers are used up: thrown inside a write, so that the write grows the store and tries again. */
    private static final class ShardFullException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient StoreFullException refusal;
        private final int shard;

        ShardFullException(int shard, StoreFullException refusal) {
            super(refusal.getMessage(), refusal, false, false);
            this.shard = shard;
            this.refusal = refusal;
        }

        int shard() {
            return shard;
        }

        StoreFullException refusal() {
            return refusal;
        }
    }

    @Override
    public void close() {
        shards.close();
    }
}
