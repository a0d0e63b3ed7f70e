package io.hearth.file;

/**
 * The shape of a store file: how many slots each region has, and where each region starts. A new
 * file takes it from the builder's settings; an existing file's is read from its header.
 *
 * <pre>
 *   offset 0                     the header, {@link StoreHeader#LENGTH} bytes ({@link StoreHeader})
 *   {@link #counterTableOffset()}     counter slots x {@link CounterSlots#SLOT_LENGTH} ({@link CounterSlots}, table 0 of {@link CounterTables})
 *   {@link #workerTableOffset()}      worker slots x {@link WorkerTable#SLOT_LENGTH} ({@link WorkerTable})
 *   {@link #broadcastRingOffset()}    broadcast slots x broadcast slot length ({@link BroadcastRing})
 *   {@link #lockTableOffset()}        lock stripes x {@link MapLockTable#SLOT_LENGTH} ({@link MapLockTable})
 *   {@link #journalOffset()}          lock stripes x {@link #journalSlotLength()} ({@link RedoJournal})
 *   {@link #lockRecordsOffset()}      who holds each lock and leadership ({@link LockRecords}, format 6)
 *   {@link #fileLength()}             end of file
 * </pre>
 *
 * @param counterSlots        counter names the table holds
 * @param workerSlots         processes that can be attached at once
 * @param broadcastSlots      messages the broadcast ring keeps
 * @param broadcastSlotLength bytes per ring slot: its fixed fields plus the longest payload
 * @param maxKeyBytes         longest map key, bytes of UTF-8
 * @param maxValueBytes       longest value, bytes of JSON
 * @param maxEntries          most map entries over all maps, a cap the user set; 0 for no limit but the disk
 * @param lockStripes         map lock stripes (and journal slots)
 * @param maxCounters         most counter names, a cap the user set; 0 for no limit but the disk
 * @param shardEntries        the entries each shard of the entries file is made for ({@link ShardRouting})
 * @param initialShardLevel   the new store has 2^this shards
 */
record StoreLayout(int counterSlots, int workerSlots, int broadcastSlots, int broadcastSlotLength,
                   int maxKeyBytes, int maxValueBytes, long maxEntries, int lockStripes, long maxCounters,
                   long shardEntries, int initialShardLevel) {
    /** Longest map name: composite keys (map name, NUL, key) and journal slots are sized for it. */
    static final int MAX_MAP_NAME_BYTES = 64;
    /** Stripes of new stores: enough that processes on different keys seldom meet, few enough to take all quickly. */
    static final int DEFAULT_LOCK_STRIPES = 64;
    /** The entries a shard is made for when the store is created with no expectation, and the most any shard is made for. */
    static final long DEFAULT_SHARD_ENTRIES = 65_536;
    static final long MAX_SHARD_ENTRIES = 262_144;
    /** Counter slots in the store file; more names go to overflow tables ({@link CounterTables}). */
    static final int DEFAULT_COUNTER_SLOTS = 4096;

    /**
     * The shape for what the caller expects: shards of at most {@link #MAX_SHARD_ENTRIES}, as many as
     * the expected entries need (a power of two), none larger than a cap on entries.
     */
    static long shardEntriesFor(long expectedEntries, long maxEntries) {
        long wanted = maxEntries > 0 ? Math.min(expectedEntries, maxEntries) : expectedEntries;
        return Math.max(1, Math.min(wanted, MAX_SHARD_ENTRIES));
    }

    static int shardLevelFor(long expectedEntries, long shardEntries) {
        long shards = (expectedEntries + shardEntries - 1) / shardEntries;
        return 64 - Long.numberOfLeadingZeros(Math.max(1, shards) - 1);
    }

    long counterTableOffset() {
        return StoreHeader.LENGTH;
    }

    long workerTableOffset() {
        return counterTableOffset() + (long) counterSlots * CounterSlots.SLOT_LENGTH;
    }

    long broadcastRingOffset() {
        return workerTableOffset() + (long) workerSlots * WorkerTable.SLOT_LENGTH;
    }

    long lockTableOffset() {
        return broadcastRingOffset() + (long) broadcastSlots * broadcastSlotLength;
    }

    long journalOffset() {
        return lockTableOffset() + (long) lockStripes * MapLockTable.SLOT_LENGTH;
    }

    long journalSlotLength() {
        return RedoJournal.slotLength(maxCompositeKeyBytes(), maxValueBytes);
    }

    long lockRecordsOffset() {
        return journalOffset() + lockStripes * journalSlotLength();
    }

    long fileLength() {
        return lockRecordsOffset() + LockRecords.regionLength(maxCompositeKeyBytes());
    }

    /** Longest composite key (map name, NUL, key) in bytes of UTF-8. */
    int maxCompositeKeyBytes() {
        return MAX_MAP_NAME_BYTES + 1 + maxKeyBytes;
    }

    int maxPayloadBytes() {
        return broadcastSlotLength - BroadcastRing.PAYLOAD;
    }

    /** Why this shape cannot be a store's, or null when it can: a header that reads as this is damaged. */
    String damage() {
        if (counterSlots < 1 || lockStripes < 1 || workerSlots < 1 || broadcastSlots < 1
                || broadcastSlotLength <= BroadcastRing.PAYLOAD || maxKeyBytes < 1 || maxValueBytes < 1 || maxEntries < 0
                || maxCounters < 0 || shardEntries < 1 || initialShardLevel < 0 || initialShardLevel > 30) {
            return "its header is damaged: " + this;
        }
        if (fileLength() > Integer.MAX_VALUE) {
            return "its header describes a file of " + fileLength() + " bytes, over the limit of " + Integer.MAX_VALUE;
        }
        return null;
    }
}
