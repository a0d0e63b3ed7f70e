package io.hearth.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import net.openhft.chronicle.hash.impl.CompactOffHeapLinearHashTable;
import net.openhft.chronicle.hash.impl.SizePrefixedBlob;
import net.openhft.chronicle.hash.impl.VanillaChronicleHash;
import net.openhft.chronicle.hash.impl.stage.entry.ChecksumStrategy;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.VanillaChronicleMap;
import net.openhft.chronicle.map.impl.CompiledMapIterationContext;
import net.openhft.chronicle.map.impl.IterationContext;

/**
 * What each byte of a closed store's entries file is, as Chronicle Map lays it out (see
 * {@link SegmentCheck}), so a test can aim damage at one kind of byte and say where damage landed.
 */
final class EntriesRegions {
    enum Region {
        /** Chronicle's self-bootstrapping header, covered by its own checksum. */
        CHRONICLE_HEADER,
        /** The tier allocation lock and the map state after the header. */
        MAP_STATE,
        /** A segment header's lock word. */
        SEGMENT_LOCK,
        /** A segment header's counters: entries, lowest possibly free chunk, deleted. */
        SEGMENT_COUNTS,
        /** A segment header's next tier index. */
        SEGMENT_NEXT_TIER,
        LOOKUP_OCCUPIED,
        LOOKUP_EMPTY,
        FREE_LIST,
        KEY_SIZE,
        KEY,
        VALUE_SIZE,
        VALUE,
        CHECKSUM,
        /** The rest of an entry's last chunk. */
        ENTRY_SLACK,
        /** Chunks marked free, with whatever removed entries left there. */
        FREE_ENTRY_SPACE,
        /** Padding, reserved space, the first tiers' unused counters area, the file's tail. */
        UNUSED;

        /** The bytes every one of which an entry's checksum covers. */
        static final Set<Region> CHECKSUMMED = Set.of(KEY_SIZE, KEY, VALUE_SIZE, VALUE, CHECKSUM);
    }

    // Chronicle's BigSegmentHeader (package-private there): lock 8 bytes, entries 4, lowest possibly
    // free chunk 4, next tier index 8, deleted 4.
    private static final int SEGMENT_LOCK_END = 8;
    private static final int SEGMENT_COUNTS_END = 16;
    private static final int SEGMENT_NEXT_TIER_END = 24;
    private static final int SEGMENT_DELETED_END = 28;
    private static final int MAP_STATE_BYTES = 8 + 25;

    private final Region[] regions;
    private final Map<String, Integer> slots;
    private final int[] segmentHeaders;

    private EntriesRegions(Region[] regions, Map<String, Integer> slots, int[] segmentHeaders) {
        this.regions = regions;
        this.slots = slots;
        this.segmentHeaders = segmentHeaders;
    }

    /** The regions of the entries file of the closed store at storePath. */
    static EntriesRegions of(Path storePath) throws IOException {
        Path entries = EntriesFile.pathOf(storePath);
        Region[] regions = new Region[Math.toIntExact(Files.size(entries))];
        Arrays.fill(regions, Region.UNUSED);
        int headerText;
        try (FileChannel channel = FileChannel.open(entries, StandardOpenOption.READ)) {
            ByteBuffer sizeWord = ByteBuffer.allocate(Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            channel.read(sizeWord, SizePrefixedBlob.SIZE_WORD_OFFSET);
            headerText = SizePrefixedBlob.extractSize(sizeWord.getInt(0));
        }
        Arrays.fill(regions, 0, SizePrefixedBlob.SELF_BOOTSTRAPPING_HEADER_OFFSET + headerText, Region.CHRONICLE_HEADER);
        Map<String, Integer> slots = new HashMap<>();
        int[] segmentHeaders;
        try (FileChannel channel = FileChannel.open(storePath, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            StoreFile store = StoreFile.mapExisting(storePath, channel);
            EntriesFile entriesFile = new EntriesFile(storePath, store.layout(), 16, 64);
            try (ChronicleMap<String, byte[]> map = entriesFile.open();
                 IterationContext<String, byte[], ?> iteration = ((VanillaChronicleMap<String, byte[], ?>) map).iterationContext()) {
                VanillaChronicleHash<?, ?, ?, ?> hash = (VanillaChronicleHash<?, ?, ?, ?>) map;
                CompiledMapIterationContext<String, byte[], ?> context = (CompiledMapIterationContext<String, byte[], ?>) iteration;
                long base = hash.bsAddress();
                fill(regions, hash.headerSize, MAP_STATE_BYTES, Region.MAP_STATE);
                segmentHeaders = new int[map.segments()];
                for (int segment = 0; segment < map.segments(); segment++) {
                    long header = hash.segmentHeaderAddress(segment) - base;
                    segmentHeaders[segment] = Math.toIntExact(header);
                    fill(regions, header, SEGMENT_LOCK_END, Region.SEGMENT_LOCK);
                    fill(regions, header + SEGMENT_LOCK_END, SEGMENT_COUNTS_END - SEGMENT_LOCK_END, Region.SEGMENT_COUNTS);
                    fill(regions, header + SEGMENT_COUNTS_END, SEGMENT_NEXT_TIER_END - SEGMENT_COUNTS_END, Region.SEGMENT_NEXT_TIER);
                    fill(regions, header + SEGMENT_NEXT_TIER_END, SEGMENT_DELETED_END - SEGMENT_NEXT_TIER_END, Region.SEGMENT_COUNTS);
                    context.initSegmentIndex(segment);
                    context.initSegmentTier();
                    if (context.nextTierIndex() != 0) {
                        throw new IllegalStateException("segment " + segment + " has a second tier; this map of regions knows first tiers only");
                    }
                    mapTier(regions, slots, hash, context, context.tierBaseAddr() - base);
                }
            }
        }
        return new EntriesRegions(regions, slots, segmentHeaders);
    }

    private static void mapTier(Region[] regions, Map<String, Integer> slots, VanillaChronicleHash<?, ?, ?, ?> hash,
                                CompiledMapIterationContext<String, byte[], ?> context, long tier) {
        CompactOffHeapLinearHashTable lookup = hash.hashLookup;
        long address = context.tierBaseAddr();
        long freeList = hash.tierHashLookupOuterSize + VanillaChronicleHash.TIER_COUNTERS_AREA_SIZE;
        fill(regions, tier + freeList, hash.tierFreeListInnerSize, Region.FREE_LIST);
        long entrySpace = context.entrySpaceOffset();
        fill(regions, tier + entrySpace, hash.actualChunksPerSegmentTier * hash.chunkSize, Region.FREE_ENTRY_SPACE);
        long position = 0;
        do {
            long slot = lookup.readEntry(address, position);
            fill(regions, tier + position, hash.tierHashLookupSlotSize, lookup.empty(slot) ? Region.LOOKUP_EMPTY : Region.LOOKUP_OCCUPIED);
            if (!lookup.empty(slot)) {
                long chunk = lookup.value(slot);
                context.readExistingEntry(chunk);
                long start = context.keySizeOffset();
                long valueEnd = context.valueOffset() + context.valueSize();
                long entryEnd = valueEnd + ChecksumStrategy.CHECKSUM_STORED_BYTES;
                long chunksEnd = start + hash.inChunks(entryEnd - start) * hash.chunkSize;
                fill(regions, tier + start, chunksEnd - start, Region.ENTRY_SLACK);
                fill(regions, tier + start, context.keyOffset() - start, Region.KEY_SIZE);
                fill(regions, tier + context.keyOffset(), context.keySize(), Region.KEY);
                fill(regions, tier + context.keyOffset() + context.keySize(), context.valueOffset() - context.keyOffset() - context.keySize(), Region.VALUE_SIZE);
                fill(regions, tier + context.valueOffset(), context.valueSize(), Region.VALUE);
                fill(regions, tier + valueEnd, ChecksumStrategy.CHECKSUM_STORED_BYTES, Region.CHECKSUM);
                slots.put(context.key().get(), Math.toIntExact(tier + position));
            }
            position = lookup.step(position);
        } while (position != 0);
    }

    private static void fill(Region[] regions, long from, long length, Region region) {
        Arrays.fill(regions, Math.toIntExact(from), Math.toIntExact(from + length), region);
    }

    /** Where the hash lookup slot of the entry under this composite key is. */
    int slotOf(String compositeKey) {
        return slots.get(compositeKey);
    }

    /** Where a segment's entry count is (a little-endian int). */
    int entryCountOf(int segment) {
        return segmentHeaders[segment] + SEGMENT_LOCK_END;
    }

    int segments() {
        return segmentHeaders.length;
    }

    int length() {
        return regions.length;
    }

    Region at(int offset) {
        return regions[offset];
    }

    /** A byte offset chosen evenly among the bytes of these regions. */
    int randomOffsetIn(Set<Region> wanted, Random random) {
        int count = 0;
        for (Region region : regions) {
            if (wanted.contains(region)) {
                count++;
            }
        }
        if (count == 0) {
            throw new IllegalStateException("no bytes of " + wanted);
        }
        int pick = random.nextInt(count);
        for (int offset = 0; offset < regions.length; offset++) {
            if (wanted.contains(regions[offset]) && pick-- == 0) {
                return offset;
            }
        }
        throw new AssertionError();
    }
}
