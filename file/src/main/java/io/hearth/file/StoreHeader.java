package io.hearth.file;

import io.hearth.IncompatibleStoreException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * The first {@link #LENGTH} bytes of the store file: its shape, written once at creation, and the
 * store-wide words every process updates, each on a cache line of its own.
 *
 * <pre>
 *   0                   8         12        16        20        24        28        32        36        40
 *   +-------------------+---------+---------+---------+---------+---------+---------+---------+---------+
 *   | magic "HEARTH.1"  | format  | counter | worker  | bcast   | bcast   | max key | max     | crash   |
 *   | written last      | version | slots   | slots   | slots   | slot len| bytes   | value B | seen    |
 *   +-------------------+---------+---------+---------+---------+---------+---------+---------+---------+
 *   40 most entries, 0 for no limit (long)   48 created, epoch ms (long)   56 map lock stripes (int)
 *   64 store id (16 random bytes, also stored in the entries file: see {@link EntriesFile#ID_KEY})
 *  128 version sequence (long: raised by every change to what a read of an entry returns)   192 entry count (long)   256 broadcast tail (long)
 *  320 recovery owner (long: an owner word, see {@link MapLockTable})   384 live recoveries done (long)
 *  448 repair snapshot length (long, see {@link SegmentSnapshots}; 0 when no repair is under way)
 *  512 space epoch: raised whenever a hole left in an entries file is cut off (long, see {@link EntriesSpace})
 *  576 counter naming lock (long: an owner word)   640 counter incarnation sequence (long)
 *  704 counters named (long)   768 overflow counter tables (long)   832 most counter names, 0 for no limit (long)
 *  896 entries per shard (long)   960 shard routing word (long, see {@link ShardRouting})
 * 1024 split under way (long, see {@link ShardSplit}; 0 when none)   1088 splits done (long)
 * 1152 expiry used: 1 once anything was written with an expiry (long)
 * 1216 sweep cursor: the next segment the expiry sweep claims, over every shard's segments (long, see {@link ExpirySweeper})
 * 1280 update turns: 32 longs, one per cache line, to 3328 (see {@link UpdateTurnTable}; zeros in a store made before them)
 * </pre>
 *
 * A creation writes {@link #INITIALISING_MAGIC} first and the real magic last, with a release
 * store, so a process that sees the magic sees a complete header.
 */
final class StoreHeader {
    static final long MAGIC = 0x312E485452414548L; // "HEARTH.1" read as a little-endian long
    static final long INITIALISING_MAGIC = 0x7E7E485452414548L; // "HEARTH~~": a crash during creation left this
    /**
     * 5: the version sequence is raised by every change to what a read of an entry returns (a
     * write, a removal, a change of expiry, a live repair), not only by writes, so that a process
     * may trust a value it read while the sequence has not moved (the read cache, {@code SharedMap}).
     * A process of format 4 would remove entries without raising it: it must not share the file.
     * 6: the holders of locks and leaderships are kept at the end of the store file
     * ({@link LockRecords}), no longer as entries; a process of format 5 would look for them in the
     * entries, so two lock holders at once: it must not share the file.
     */
    static final int FORMAT_VERSION = 6;
    static final int LENGTH = 4096;

    static final int MAGIC_OFFSET = 0;
    static final int FORMAT_VERSION_OFFSET = MAGIC_OFFSET + Long.BYTES;
    static final int COUNTER_SLOTS_OFFSET = FORMAT_VERSION_OFFSET + Integer.BYTES;
    static final int WORKER_SLOTS_OFFSET = COUNTER_SLOTS_OFFSET + Integer.BYTES;
    static final int BROADCAST_SLOTS_OFFSET = WORKER_SLOTS_OFFSET + Integer.BYTES;
    static final int BROADCAST_SLOT_LENGTH_OFFSET = BROADCAST_SLOTS_OFFSET + Integer.BYTES;
    static final int MAX_KEY_BYTES_OFFSET = BROADCAST_SLOT_LENGTH_OFFSET + Integer.BYTES;
    static final int MAX_VALUE_BYTES_OFFSET = MAX_KEY_BYTES_OFFSET + Integer.BYTES;
    /** 1 once a process died while attached; cleared by the recovery of the next open with none live. */
    static final int CRASH_SEEN_OFFSET = MAX_VALUE_BYTES_OFFSET + Integer.BYTES;
    static final int MAX_ENTRIES_OFFSET = CRASH_SEEN_OFFSET + Integer.BYTES;
    static final int CREATED_OFFSET = MAX_ENTRIES_OFFSET + Long.BYTES;
    static final int LOCK_STRIPES_OFFSET = CREATED_OFFSET + Long.BYTES;
    static final int CACHE_LINE = 64;
    /** Names this store's entries file: a header and an entries file belong together when their ids match. */
    static final int STORE_ID_OFFSET = CACHE_LINE;
    static final int STORE_ID_LENGTH = 16;
    static final int VERSION_SEQUENCE_OFFSET = 2 * CACHE_LINE;
    static final int ENTRY_COUNT_OFFSET = VERSION_SEQUENCE_OFFSET + CACHE_LINE;
    static final int BROADCAST_TAIL_OFFSET = ENTRY_COUNT_OFFSET + CACHE_LINE;
    /** Owner word of the process repairing the map after a dead lock holder, or 0. */
    static final int RECOVERY_OWNER_OFFSET = BROADCAST_TAIL_OFFSET + CACHE_LINE;
    /** How many times a process repaired the map after a dead lock holder while others stayed attached. */
    static final int LIVE_RECOVERIES_OFFSET = RECOVERY_OWNER_OFFSET + CACHE_LINE;
    /** Length of the published repair snapshot in PATH.entries.repair, or 0. */
    static final int REPAIR_SNAPSHOT_OFFSET = LIVE_RECOVERIES_OFFSET + CACHE_LINE;
    /** Raised whenever a process cuts a hole off an entries file: what others allocated ahead may be gone. */
    static final int SPACE_EPOCH_OFFSET = REPAIR_SNAPSHOT_OFFSET + CACHE_LINE;
    /** Owner word of the process naming or removing a counter, or 0 (see {@link CounterTables}). */
    static final int COUNTER_NAMING_OFFSET = SPACE_EPOCH_OFFSET + CACHE_LINE;
    /** The last incarnation handed to a counter slot: a slot's incarnation changes each time it is named. */
    static final int COUNTER_INCARNATION_OFFSET = COUNTER_NAMING_OFFSET + CACHE_LINE;
    static final int COUNTERS_NAMED_OFFSET = COUNTER_INCARNATION_OFFSET + CACHE_LINE;
    static final int COUNTER_OVERFLOW_TABLES_OFFSET = COUNTERS_NAMED_OFFSET + CACHE_LINE;
    static final int MAX_COUNTERS_OFFSET = COUNTER_OVERFLOW_TABLES_OFFSET + CACHE_LINE;
    /** The entries each shard of the entries file is made for. */
    static final int SHARD_ENTRIES_OFFSET = MAX_COUNTERS_OFFSET + CACHE_LINE;
    static final int ROUTING_OFFSET = SHARD_ENTRIES_OFFSET + CACHE_LINE;
    static final int SPLIT_OFFSET = ROUTING_OFFSET + CACHE_LINE;
    static final int SPLITS_DONE_OFFSET = SPLIT_OFFSET + CACHE_LINE;
    /** 1 once an entry or a counter was given an expiry: until then the sweep has nothing to do. */
    static final int EXPIRY_USED_OFFSET = SPLITS_DONE_OFFSET + CACHE_LINE;
    static final int SWEEP_CURSOR_OFFSET = EXPIRY_USED_OFFSET + CACHE_LINE;
    /** The first of {@link UpdateTurnTable#SLOTS} turn words, a cache line apart. */
    static final int UPDATE_TURNS_OFFSET = SWEEP_CURSOR_OFFSET + CACHE_LINE;

    private final MappedFile file;

    StoreHeader(MappedFile file) {
        this.file = file;
    }

    /** The header of a new store: everything but the real magic, which {@link #publish()} writes last. */
    static ByteBuffer initial(StoreLayout layout, byte[] storeId) {
        return ByteBuffer.allocate(LENGTH).order(ByteOrder.LITTLE_ENDIAN)
                .put(STORE_ID_OFFSET, storeId)
                .putLong(MAX_COUNTERS_OFFSET, layout.maxCounters())
                .putLong(SHARD_ENTRIES_OFFSET, layout.shardEntries())
                .putLong(ROUTING_OFFSET, ShardRouting.word(layout.initialShardLevel(), 0))
                .putLong(MAGIC_OFFSET, INITIALISING_MAGIC)
                .putInt(FORMAT_VERSION_OFFSET, FORMAT_VERSION)
                .putInt(COUNTER_SLOTS_OFFSET, layout.counterSlots())
                .putInt(WORKER_SLOTS_OFFSET, layout.workerSlots())
                .putInt(BROADCAST_SLOTS_OFFSET, layout.broadcastSlots())
                .putInt(BROADCAST_SLOT_LENGTH_OFFSET, layout.broadcastSlotLength())
                .putInt(MAX_KEY_BYTES_OFFSET, layout.maxKeyBytes())
                .putInt(MAX_VALUE_BYTES_OFFSET, layout.maxValueBytes())
                .putLong(MAX_ENTRIES_OFFSET, layout.maxEntries())
                .putLong(CREATED_OFFSET, System.currentTimeMillis())
                .putInt(LOCK_STRIPES_OFFSET, layout.lockStripes());
    }

    /** Whether the file holds a creation cut short (or nothing): its layout may be written anew. */
    static boolean needsCreation(FileChannel channel) throws IOException {
        if (channel.size() == 0) {
            return true;
        }
        ByteBuffer magic = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        channel.read(magic, MAGIC_OFFSET);
        return magic.position() == Long.BYTES && magic.getLong(0) == INITIALISING_MAGIC;
    }

    /**
     * Reads and checks the layout of an existing, non-empty file without writing a byte.
     *
     * @return the layout, or null when a creation was cut short and may be redone
     * @throws IncompatibleStoreException when the file is not a Hearth store of this format
     */
    static StoreLayout readLayout(Path path, FileChannel channel) throws IOException {
        long size = channel.size();
        ByteBuffer header = ByteBuffer.allocate((int) Math.min(size, LENGTH)).order(ByteOrder.LITTLE_ENDIAN);
        channel.read(header, 0);
        if (header.capacity() < Long.BYTES) {
            throw notAStore(path, "it is only " + size + " bytes long");
        }
        long magic = header.getLong(MAGIC_OFFSET);
        if (magic == INITIALISING_MAGIC) {
            return null;
        }
        if (magic != MAGIC) {
            throw notAStore(path, "it starts with bytes " + hex(header, 8) + ", not \"HEARTH.1\"");
        }
        if (header.capacity() < LENGTH) {
            throw notAStore(path, "its header is cut short at " + size + " bytes of " + LENGTH);
        }
        int format = header.getInt(FORMAT_VERSION_OFFSET);
        if (format != FORMAT_VERSION) {
            throw new IncompatibleStoreException("store file " + path + " has format version " + format
                    + ", this Hearth reads format version " + FORMAT_VERSION + "; the file was not modified");
        }
        StoreLayout layout = new StoreLayout(header.getInt(COUNTER_SLOTS_OFFSET), header.getInt(WORKER_SLOTS_OFFSET),
                header.getInt(BROADCAST_SLOTS_OFFSET), header.getInt(BROADCAST_SLOT_LENGTH_OFFSET),
                header.getInt(MAX_KEY_BYTES_OFFSET), header.getInt(MAX_VALUE_BYTES_OFFSET),
                header.getLong(MAX_ENTRIES_OFFSET), header.getInt(LOCK_STRIPES_OFFSET), header.getLong(MAX_COUNTERS_OFFSET),
                header.getLong(SHARD_ENTRIES_OFFSET), ShardRouting.level(header.getLong(ROUTING_OFFSET)));
        String damage = layout.damage();
        if (damage != null) {
            throw notAStore(path, damage);
        }
        if (size < layout.fileLength()) {
            throw notAStore(path, "it is " + size + " bytes long but its header describes " + layout.fileLength());
        }
        return layout;
    }

    private static IncompatibleStoreException notAStore(Path path, String why) {
        return new IncompatibleStoreException("file " + path + " is not a Hearth store: " + why
                + "; expected format version " + FORMAT_VERSION + "; the file was not modified");
    }

    private static String hex(ByteBuffer buffer, int count) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < count && i < buffer.capacity(); i++) {
            text.append(String.format("%02x", buffer.get(i)));
        }
        return text.toString();
    }

    /**
     * The store id an unfinished creation wrote, or null when the file holds no header yet: lets
     * the next creation tell its own entries file from another store's.
     */
    static byte[] readUnfinishedStoreId(FileChannel channel) throws IOException {
        if (channel.size() < LENGTH) {
            return null;
        }
        ByteBuffer id = ByteBuffer.allocate(STORE_ID_LENGTH);
        channel.read(id, STORE_ID_OFFSET);
        return id.array();
    }

    /** This store's id. */
    byte[] storeId() {
        return file.getBytes(STORE_ID_OFFSET, STORE_ID_LENGTH);
    }

    /** Writes the real magic, last, so that a process which sees it sees a complete header. */
    void publish() {
        file.setLongRelease(MAGIC_OFFSET, MAGIC);
    }

    /**
     * A version never handed out before: versions grow with every write in the store. A removal,
     * a change of expiry and a live repair take one too, and throw it away, so that the sequence
     * moves with every change to what a read returns ({@link #versionSequence}).
     */
    long nextVersion() {
        return file.getAndAddLong(VERSION_SEQUENCE_OFFSET, 1) + 1;
    }

    /**
     * The newest version handed out. While it stays the same, no entry changed: each change takes
     * a version holding the entry's stripe, before it touches Chronicle and before it returns, so a
     * read made after this was read, and anything it found, still stands while this reads the same.
     */
    long versionSequence() {
        return file.getLongVolatile(VERSION_SEQUENCE_OFFSET);
    }

    long entryCount() {
        return file.getLongVolatile(ENTRY_COUNT_OFFSET);
    }

    boolean compareAndSetEntryCount(long expected, long update) {
        return file.compareAndSetLong(ENTRY_COUNT_OFFSET, expected, update);
    }

    void addEntries(long delta) {
        file.getAndAddLong(ENTRY_COUNT_OFFSET, delta);
    }

    /** Sets the count after a recount; only while no other process can be writing entries. */
    void setEntryCount(long count) {
        file.setLongVolatile(ENTRY_COUNT_OFFSET, count);
    }

    long broadcastTail() {
        return file.getLongVolatile(BROADCAST_TAIL_OFFSET);
    }

    boolean compareAndSetBroadcastTail(long expected, long update) {
        return file.compareAndSetLong(BROADCAST_TAIL_OFFSET, expected, update);
    }

    boolean crashSeen() {
        return file.getIntVolatile(CRASH_SEEN_OFFSET) != 0;
    }

    /** Some process died while attached: the next open with nobody live must look for work half done. */
    void markCrashSeen() {
        file.setIntVolatile(CRASH_SEEN_OFFSET, 1);
    }

    void clearCrashSeen() {
        file.setIntVolatile(CRASH_SEEN_OFFSET, 0);
    }

    long recoveryOwner() {
        return file.getLongVolatile(RECOVERY_OWNER_OFFSET);
    }

    boolean compareAndSetRecoveryOwner(long expected, long update) {
        return file.compareAndSetLong(RECOVERY_OWNER_OFFSET, expected, update);
    }

    void releaseRecoveryOwner() {
        file.setLongRelease(RECOVERY_OWNER_OFFSET, 0);
    }

    long liveRecoveries() {
        return file.getLongVolatile(LIVE_RECOVERIES_OFFSET);
    }

    void countLiveRecovery() {
        file.getAndAddLong(LIVE_RECOVERIES_OFFSET, 1);
    }

    /** The published length of the repair snapshot; 0 when no repair is under way. */
    long repairSnapshotLength() {
        return file.getLongVolatile(REPAIR_SNAPSHOT_OFFSET);
    }

    void publishRepairSnapshotLength(long length) {
        file.setLongRelease(REPAIR_SNAPSHOT_OFFSET, length);
    }

    /** The most counter names the store takes, 0 for no limit but the disk. */
    long maxCounters() {
        return file.getLongVolatile(MAX_COUNTERS_OFFSET);
    }

    long countersNamed() {
        return file.getLongVolatile(COUNTERS_NAMED_OFFSET);
    }

    void addCountersNamed(long delta) {
        file.getAndAddLong(COUNTERS_NAMED_OFFSET, delta);
    }

    /** A positive incarnation never handed to a counter slot before (it wraps after 2^31 namings). */
    int nextCounterIncarnation() {
        long next = file.getAndAddLong(COUNTER_INCARNATION_OFFSET, 1) + 1;
        return (int) (next & Integer.MAX_VALUE) == 0 ? 1 : (int) (next & Integer.MAX_VALUE);
    }

    long counterOverflowTables() {
        return file.getLongVolatile(COUNTER_OVERFLOW_TABLES_OFFSET);
    }

    void publishCounterOverflowTables(long tables) {
        file.setLongRelease(COUNTER_OVERFLOW_TABLES_OFFSET, tables);
    }

    long routing() {
        return file.getLongVolatile(ROUTING_OFFSET);
    }

    void publishRouting(long word) {
        file.setLongRelease(ROUTING_OFFSET, word);
    }

    /** The split under way: 0 when none, else see {@link ShardSplit}. */
    long split() {
        return file.getLongVolatile(SPLIT_OFFSET);
    }

    void setSplit(long split) {
        file.setLongVolatile(SPLIT_OFFSET, split);
    }

    long splitsDone() {
        return file.getLongVolatile(SPLITS_DONE_OFFSET);
    }

    void countSplit() {
        file.getAndAddLong(SPLITS_DONE_OFFSET, 1);
    }

    long spaceEpoch() {
        return file.getLongVolatile(SPACE_EPOCH_OFFSET);
    }

    void raiseSpaceEpoch() {
        file.getAndAddLong(SPACE_EPOCH_OFFSET, 1);
    }

    boolean expiryUsed() {
        return file.getLongVolatile(EXPIRY_USED_OFFSET) != 0;
    }

    /** Notes that something expires; a read first, so that writes after the first store nothing. */
    void markExpiryUsed() {
        if (file.getLongVolatile(EXPIRY_USED_OFFSET) == 0) {
            file.setLongVolatile(EXPIRY_USED_OFFSET, 1);
        }
    }

    /** Claims the next segment for the expiry sweep: the cursor before, counting up forever. */
    long claimSweepSegment() {
        return file.getAndAddLong(SWEEP_CURSOR_OFFSET, 1);
    }
}
