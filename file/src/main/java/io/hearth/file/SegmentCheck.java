package io.hearth.file;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import net.openhft.chronicle.algo.bitset.ReusableBitSet;
import net.openhft.chronicle.core.OS;
import net.openhft.chronicle.hash.impl.CompactOffHeapLinearHashTable;
import net.openhft.chronicle.hash.impl.TierCountersArea;
import net.openhft.chronicle.hash.impl.VanillaChronicleHash;
import net.openhft.chronicle.hash.impl.stage.entry.ChecksumStrategy;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.impl.CompiledMapIterationContext;

/**
 * The check of one segment of the entries file, read the way Chronicle Map lays it out, without
 * trusting any of its counts (a damaged count is one of the things looked for) and without taking
 * Chronicle's segment lock (a damaged lock word would hold the check for Chronicle's minute-long
 * lock timeout). The caller holds the segment's map lock stripe, so no Hearth process is inside it.
 *
 * <pre>
 *   segment header: lock word, entries, lowest possibly free chunk, next tier index, deleted
 *   each tier of the segment's chain (the first after the segment headers, the rest in extra tier bulks):
 *   +------------------------------+---------------+-------------------+---------------------------+
 *   | hash lookup: slots of        | tier counters | free list: a bit  | entry space: chunks of    |
 *   | (hash bits, first chunk), or | (extra tiers  | per chunk, set    | EntriesFile.CHUNK_BYTES   |
 *   | 0 when empty                 | only)         | when used         |                           |
 *   +------------------------------+---------------+-------------------+---------------------------+
 *   an entry, from its first chunk: key size (stop bit), key, value size (stop bit), value, checksum (4 bytes)
 * </pre>
 *
 * A read hashes its key, starts at the key's home slot and steps slot by slot until an empty one,
 * comparing each entry whose slot holds the key's hash bits; it then goes on to the next tier.
 * Listing keys walks each tier's slots until it has seen as many entries as the tier's header
 * counts. So, for each tier: every occupied slot must point inside the tier at a whole entry (its
 * sizes inside the tier, its checksum holding) whose key hashes to this segment and to the slot's
 * hash bits, with no empty slot between the key's home slot and it; no key twice; every entry's
 * chunks marked used and no two entries overlapping; no chunk marked used that no slot's entry
 * covers (an entry there is one reads miss); the header's count equal to the occupied slots; the
 * other counters within range; and the chain of tiers linked both ways.
 */
final class SegmentCheck {
    private static final int KEY_HINT_BYTES = 80;
    private static final int LOST_CHUNKS_NAMED = 5;

    private final VanillaChronicleHash<?, ?, ?, ?> hash;
    private final CompiledMapIterationContext<String, byte[], ?> context;
    private final CompactOffHeapLinearHashTable lookup;
    private final long chunks;
    private final long firstExtraTier;
    private final long lastExtraTier;
    private long extraTiersSeen;

    /** @param context an iteration context of map, used only to read entries, never to lock or write */
    SegmentCheck(ChronicleMap<String, byte[]> map, CompiledMapIterationContext<String, byte[], ?> context) {
        this.hash = (VanillaChronicleHash<?, ?, ?, ?>) map;
        this.context = context;
        this.lookup = hash.hashLookup;
        this.chunks = hash.actualChunksPerSegmentTier;
        this.firstExtraTier = hash.extraTierIndexToTierIndex(0);
        this.lastExtraTier = firstExtraTier + (long) hash.globalMutableState().getAllocatedExtraTierBulks() * hash.tiersInBulk - 1;
    }

    /** Tiers beyond the first of a segment seen so far, over every segment checked. */
    long extraTiersSeen() {
        return extraTiersSeen;
    }

    /**
     * Adds a line to problems for each thing wrong in the segment and hands found each entry a
     * read finds whole (composite key, value bytes).
     */
    void check(int segment, List<String> problems, BiConsumer<String, byte[]> found) {
        long lockWord = OS.memory().readVolatileLong(hash.segmentHeaderAddress(segment));
        if (lockWord != 0) {
            problems.add("segment " + segment + ": Chronicle's lock word is 0x" + Long.toHexString(lockWord)
                    + " although no process holds its map lock stripe: a map call there waits out Chronicle's lock"
                    + " timeout (60 s) and fails");
        }
        context.initSegmentIndex(segment);
        context.initSegmentTier();
        Map<String, Long> keys = new HashMap<>();
        Set<Long> chain = new HashSet<>();
        chain.add(context.tierIndex());
        while (true) {
            checkTier(segment, keys, problems, found);
            long next = context.nextTierIndex();
            if (next == 0) {
                return;
            }
            String link = tierName(segment) + " links to tier index " + next;
            if (next < firstExtraTier || next > lastExtraTier) {
                problems.add(link + ", which is no extra tier of this file (" + (lastExtraTier < firstExtraTier ? "it has none"
                        : "they are " + firstExtraTier + ".." + lastExtraTier) + "): a read of a key the tier lacks follows it");
                return;
            }
            if (!chain.add(next)) {
                problems.add(link + ", already in the segment's chain: a read of an absent key goes round it for ever");
                return;
            }
            long previous = context.tierIndex();
            int tier = context.tier() + 1;
            context.initSegmentTier(tier, next);
            extraTiersSeen++;
            long counters = context.tierBaseAddr() + hash.tierHashLookupOuterSize;
            int ownSegment = TierCountersArea.segmentIndex(counters);
            int ownTier = TierCountersArea.tier(counters);
            long ownPrevious = TierCountersArea.prevTierIndex(counters);
            if (ownSegment != segment || ownTier != tier || ownPrevious != previous) {
                problems.add(tierName(segment) + " (tier index " + next + ") says it is tier " + ownTier + " of segment "
                        + ownSegment + " after tier index " + ownPrevious + ", but it is linked as tier " + tier
                        + " of segment " + segment + " after tier index " + previous);
            }
        }
    }

    private void checkTier(int segment, Map<String, Long> keys, List<String> problems, BiConsumer<String, byte[]> found) {
        String tierName = tierName(segment);
        long base = context.tierBaseAddr();
        // Every occupied slot and what it points at first, then the chunks: an entry that a damaged
        // slot points into must not be taken for the damage.
        List<Slot> slots = new ArrayList<>();
        long position = 0;
        do {
            long slot = lookup.readEntry(base, position);
            if (!lookup.empty(slot)) {
                long chunk = lookup.value(slot);
                slots.add(new Slot(tierName + " hash lookup slot " + position / hash.tierHashLookupSlotSize, position,
                        lookup.key(slot), chunk, chunk < chunks ? read(chunk) : null));
            }
            position = lookup.step(position);
        } while (position != 0);

        ReusableBitSet used = context.freeList();
        BitSet whole = new BitSet();
        BitSet claimed = new BitSet();
        for (Slot slot : slots) {
            if (slot.pointsRightly(segment)) {
                checkEntry(segment, tierName, base, slot, used, whole, keys, problems, found);
            }
        }
        for (Slot slot : slots) {
            if (!slot.pointsRightly(segment)) {
                problems.add(wrongSlot(segment, slot));
                if (slot.entry() != null && slot.entry().chunks() > 0) {
                    // The chunks of a damaged entry, or of one this slot has wrong: not also space lost.
                    claimed.set(Math.toIntExact(slot.chunk()), Math.toIntExact(slot.chunk()) + slot.entry().chunks());
                }
            }
        }

        long counted = context.tierEntries();
        if (counted != slots.size()) {
            problems.add(tierName + ": its header counts " + counted + " entries but its hash lookup holds " + slots.size()
                    + (counted > slots.size() ? ": listing keys fails there (Chronicle's \"Size diverged\")"
                    : ": listing keys stops early there and misses entries"));
        }
        long lowestFree = context.lowestPossiblyFreeChunk();
        if (lowestFree < 0 || lowestFree > chunks) {
            problems.add(tierName + ": its lowest possibly free chunk is " + lowestFree + ", outside 0.." + chunks);
        }
        long deleted = context.tierDeleted();
        if (deleted != 0) {
            problems.add(tierName + ": its header counts " + deleted + " deleted entries; Hearth never marks entries"
                    + " deleted, and Chronicle's size subtracts them");
        }
        checkUsedChunks(segment, tierName, used, whole, claimed, problems);
    }

    /** Why a slot that does not point rightly at a whole entry of this segment is wrong. */
    private String wrongSlot(int segment, Slot slot) {
        Entry entry = slot.entry();
        if (entry == null) {
            return slot.name() + " points at chunk " + slot.chunk() + ", past the tier's " + chunks + " chunks";
        }
        if (entry.damage() != null) {
            return slot.name() + " points at chunk " + slot.chunk() + ", where " + entry.damage();
        }
        String name = CompositeKeys.printable(entry.key());
        if (entry.segment() != segment) {
            return slot.name() + " points at entry " + name + " (chunk " + slot.chunk() + "), whose key hashes to segment "
                    + entry.segment() + ": reads of it look there and miss it";
        }
        return slot.name() + " holds hash bits " + slot.hashBits() + " but its entry " + name + " (chunk " + slot.chunk()
                + ") hashes to " + entry.hashBits() + ": reads of that key probe other slots and miss it";
    }

    /** An entry a slot points at rightly: reachable, not overlapping another, marked used, its key once. */
    private void checkEntry(int segment, String tierName, long base, Slot slot, ReusableBitSet used, BitSet whole,
                            Map<String, Long> keys, List<String> problems, BiConsumer<String, byte[]> found) {
        Entry entry = slot.entry();
        String name = CompositeKeys.printable(entry.key());
        boolean readable = true;
        long home = lookup.hlPos(slot.hashBits());
        if (!reachable(base, home, slot.position())) {
            problems.add(slot.name() + " holds entry " + name + " (chunk " + slot.chunk() + "), but an empty slot lies"
                    + " between it and the key's home slot " + home / hash.tierHashLookupSlotSize
                    + ": reads of that key stop there and miss it");
            readable = false;
        }
        int from = Math.toIntExact(slot.chunk());
        int to = from + entry.chunks();
        if (!whole.get(from, to).isEmpty()) {
            problems.add(slot.name() + " points at entry " + name + " at chunks " + from + ".." + (to - 1)
                    + ", which overlap another entry's");
            return;
        }
        whole.set(from, to);
        if (!used.isRangeSet(from, to)) {
            problems.add(tierName + ": entry " + name + " at chunks " + from + ".." + (to - 1) + " is marked free in"
                    + " the free list: the next write in this tier may overwrite it");
        }
        if (readable) {
            Long earlier = keys.putIfAbsent(entry.key(), slot.chunk());
            if (earlier != null) {
                problems.add("segment " + segment + " holds key " + name + " twice (chunks " + earlier + " and " + slot.chunk()
                        + "): reads see only one of them");
            } else {
                found.accept(entry.key(), entry.value());
            }
        }
    }

    /** Whether a probe from home reaches position: no empty slot lies between. */
    private boolean reachable(long base, long home, long position) {
        for (long probe = home; probe != position; probe = lookup.step(probe)) {
            if (lookup.empty(lookup.readEntry(base, probe))) {
                return false;
            }
        }
        return true;
    }

    /** Chunks marked used that no slot's entry covers: entries reads miss, or space lost. */
    private void checkUsedChunks(int segment, String tierName, ReusableBitSet used, BitSet whole, BitSet claimed,
                                 List<String> problems) {
        long lost = 0;
        List<Long> named = new ArrayList<>();
        long chunk = used.nextSetBit(0);
        while (chunk >= 0 && chunk < chunks) {
            int from = Math.toIntExact(chunk);
            if (whole.get(from) || claimed.get(from)) {
                chunk = used.nextSetBit(chunk + 1);
                continue;
            }
            Entry orphan = read(chunk);
            if (orphan.damage() == null && orphan.segment() == segment && used.isRangeSet(from, from + orphan.chunks())
                    && whole.get(from, from + orphan.chunks()).isEmpty()) {
                problems.add(tierName + ": entry " + CompositeKeys.printable(orphan.key()) + " at chunk " + chunk
                        + " is in no hash lookup slot: reads and key listings miss it");
                whole.set(from, from + orphan.chunks());
                chunk = used.nextSetBit(chunk + orphan.chunks());
                continue;
            }
            lost++;
            if (named.size() < LOST_CHUNKS_NAMED) {
                named.add(chunk);
            }
            chunk = used.nextSetBit(chunk + 1);
        }
        if (lost > 0) {
            problems.add(tierName + ": " + chunks(lost) + " marked used in the free list lie in no entry a hash lookup"
                    + " slot points at (chunks " + named + (lost > named.size() ? ", ..." : "") + "): space no write can use");
        }
    }

    /** The entry that starts at chunk of the current tier, read as Chronicle reads it, or why there is no whole one. */
    private Entry read(long chunk) {
        String keyHint = null;
        try {
            context.readExistingEntry(chunk);
            long start = context.keySizeOffset();
            long end = context.entrySpaceOffset() + chunks * hash.chunkSize;
            long keySize = context.keySize();
            long keyOffset = context.keyOffset();
            if (keySize < 0 || keyOffset + keySize > end) {
                return Entry.damaged("the key size read is " + keySize + ", past the tier's end: the entry's size or the"
                        + " slot changed; reads of it fail");
            }
            keyHint = keyHint(keyOffset, keySize);
            long valueSize = context.valueSize();
            long entryEnd = context.valueOffset() + valueSize + ChecksumStrategy.CHECKSUM_STORED_BYTES;
            if (valueSize < 0 || entryEnd > end) {
                return Entry.damaged("the entry read there (key " + keyHint + ") has a value size of " + valueSize
                        + ", past the tier's end: the entry's size or the slot changed; reads of it fail");
            }
            int entryChunks = hash.inChunks(entryEnd - start);
            ChecksumStrategy checksum = context.checksumStrategy();
            int stored = checksum.storedChecksum();
            int computed = checksum.computeChecksum();
            if (stored != computed) {
                return new Entry("the entry read there (key " + keyHint + ", " + chunks(entryChunks) + ") fails its checksum"
                        + " (stored 0x" + Integer.toHexString(stored) + ", its bytes give 0x" + Integer.toHexString(computed)
                        + "): the entry's bytes changed after they were written, or the slot did; reads of it fail",
                        null, null, -1, 0, entryChunks);
            }
            long keyHash = context.keyHashCode();
            // Chronicle reuses the array get() returns for the next entry it reads: copied.
            return new Entry(null, context.key().get(), context.value().get().clone(), hash.hashSplitting.segmentIndex(keyHash),
                    lookup.maskUnsetKey(hash.hashSplitting.segmentHash(keyHash)), entryChunks);
        } catch (RuntimeException e) {
            return Entry.damaged("no entry can be read" + (keyHint == null ? "" : " (key " + keyHint + ")") + ": " + e);
        }
    }

    /** The first bytes of a key that may be damaged, for messages only. */
    private String keyHint(long keyOffset, long keySize) {
        byte[] bytes = new byte[(int) Math.min(keySize, KEY_HINT_BYTES)];
        context.segmentBS().read(keyOffset, bytes, 0, bytes.length);
        return CompositeKeys.printable(new String(bytes, StandardCharsets.UTF_8)) + (keySize > KEY_HINT_BYTES ? "..." : "");
    }

    private static String chunks(long count) {
        return count == 1 ? "1 chunk" : count + " chunks";
    }

    private String tierName(int segment) {
        int tier = context.tier();
        return tier == 0 ? "segment " + segment : "segment " + segment + " tier " + tier;
    }

    /** An occupied hash lookup slot and the entry at the chunk it points at (null when past the tier). */
    private record Slot(String name, long position, long hashBits, long chunk, Entry entry) {
        /** Whether it points at a whole entry whose key hashes to this segment and to its hash bits. */
        boolean pointsRightly(int segment) {
            return entry != null && entry.damage() == null && entry.segment() == segment && entry.hashBits() == hashBits;
        }
    }

    /** A whole entry, or why none: damage is null when whole; chunks is 0 when its extent is unknown. */
    private record Entry(String damage, String key, byte[] value, int segment, long hashBits, int chunks) {
        static Entry damaged(String why) {
            return new Entry(why, null, null, -1, 0, 0);
        }
    }
}
