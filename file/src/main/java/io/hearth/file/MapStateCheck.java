package io.hearth.file;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.core.OS;
import net.openhft.chronicle.hash.impl.SizePrefixedBlob;
import net.openhft.chronicle.values.Values;
import net.openhft.chronicle.hash.VanillaGlobalMutableState;
import net.openhft.chronicle.hash.impl.VanillaChronicleHash;
import net.openhft.chronicle.map.ChronicleMap;

/**
 * The check of Chronicle Map's map-wide state in the entries file: where the segment headers
 * start, how long the file is and how many extra tier bulks it holds, which tiers are free, and the
 * lock that guards handing tiers out. Chronicle's header is covered by a checksum that opening
 * verifies; this state, right after it, is not, and a damaged offset would send every read to the
 * wrong place. It is checked before any segment is read.
 */
final class MapStateCheck {
    /** Chronicle's header is padded to a cache line; the map state follows it (private in Chronicle's VanillaChronicleHash). */
    private static final int HEADER_ALIGNMENT = 64;
    /** The tier allocation lock comes first in the map state, then the state's fields (private in Chronicle). */
    private static final int STATE_FIELDS_OFFSET = 8;
    /** Chronicle writes at most 16 KiB of header. */
    private static final int MAX_HEADER_BYTES = 16 << 10;
    private static final Pattern HEADER_NUMBER = Pattern.compile("\\b(actualSegments|segmentHeaderSize|tierSize|tierBulkSizeInBytes): (\\d+),");

    private MapStateCheck() {
    }

    /**
     * Before Chronicle opens the file: opening maps as many bytes as the map state says the segments
     * and extra tier bulks take, and lengthens the file (and allocates its blocks) to that size. A
     * damaged bulk count or segment offset must not make the check grow the file it checks.
     *
     * @return whether the file may be opened
     */
    static boolean checkBeforeOpening(Path entries, List<String> problems) throws IOException {
        try (FileChannel channel = FileChannel.open(entries, StandardOpenOption.READ)) {
            long fileLength = channel.size();
            ByteBuffer sizeWord = ByteBuffer.allocate(Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            if (channel.read(sizeWord, SizePrefixedBlob.SIZE_WORD_OFFSET) < Integer.BYTES) {
                return true; // too short for a header: Chronicle refuses it, and says why
            }
            int headerBytes = SizePrefixedBlob.extractSize(sizeWord.getInt(0));
            long headerEnd = (long) SizePrefixedBlob.SELF_BOOTSTRAPPING_HEADER_OFFSET + headerBytes;
            if (headerBytes > MAX_HEADER_BYTES) {
                return true; // a damaged size word: Chronicle's header checksum refuses it
            }
            long stateOffset = (headerEnd + HEADER_ALIGNMENT - 1) / HEADER_ALIGNMENT * HEADER_ALIGNMENT + STATE_FIELDS_OFFSET;
            VanillaGlobalMutableState state = Values.newNativeReference(VanillaGlobalMutableState.class);
            if (stateOffset + state.maxSize() > fileLength) {
                return true;
            }
            ByteBuffer header = ByteBuffer.allocate(headerBytes);
            channel.read(header, SizePrefixedBlob.SELF_BOOTSTRAPPING_HEADER_OFFSET);
            ByteBuffer stateBytes = ByteBuffer.allocate(Math.toIntExact(state.maxSize()));
            channel.read(stateBytes, stateOffset);
            state.bytesStore(BytesStore.wrap(stateBytes), 0, state.maxSize());
            Map<String, Long> numbers = new HashMap<>();
            Matcher matcher = HEADER_NUMBER.matcher(new String(header.array(), StandardCharsets.ISO_8859_1));
            while (matcher.find()) {
                numbers.putIfAbsent(matcher.group(1), Long.parseLong(matcher.group(2)));
            }
            if (numbers.size() < 4) {
                return true; // not a header of the shape this check knows: Chronicle judges it
            }
            long bulks = state.getAllocatedExtraTierBulks();
            long mapped = state.getSegmentHeadersOffset()
                    + numbers.get("actualSegments") * (numbers.get("segmentHeaderSize") + numbers.get("tierSize"))
                    + bulks * numbers.get("tierBulkSizeInBytes");
            if (OS.mapAlign(mapped) > fileLength) {
                problems.add("Chronicle's map state in " + entries + " (segment headers at offset " + state.getSegmentHeadersOffset()
                        + ", " + bulks + " extra tier bulks) describes " + mapped + " bytes, but the file has " + fileLength
                        + ": its map state or header is damaged (opening it would lengthen the file); entries were not checked");
                return false;
            }
            return true;
        }
    }

    /**
     * Adds a line to problems for each thing wrong.
     *
     * @param fileLength the entries file's length before it was opened (opening maps what the state describes)
     * @return whether the segments are where Chronicle looks for them, so they may be read
     */
    static boolean check(ChronicleMap<String, byte[]> map, long fileLength, List<String> problems) {
        VanillaChronicleHash<?, ?, ?, ?> hash = (VanillaChronicleHash<?, ?, ?, ?>) map;
        VanillaGlobalMutableState state = hash.globalMutableState();
        String file = "Chronicle's map state in " + hash.file();
        long segmentHeaders = state.getSegmentHeadersOffset();
        long expected;
        try {
            // Private in Chronicle: where it puts the segment headers for a header of this size.
            Method compute = VanillaChronicleHash.class.getDeclaredMethod("computeSegmentHeadersOffset");
            compute.setAccessible(true);
            expected = (long) compute.invoke(hash);
        } catch (ReflectiveOperationException | RuntimeException e) {
            problems.add("could not check " + file + " (Chronicle's internals changed?): " + e + "; segments were not checked");
            return false;
        }
        if (segmentHeaders != expected) {
            problems.add(file + " puts the segment headers at offset " + segmentHeaders + " instead of " + expected
                    + ": every read looks in the wrong place; segments were not checked");
            return false;
        }
        long bulks = state.getAllocatedExtraTierBulks();
        long mapped = hash.dataStoreSize();
        if (OS.pageAlign(mapped) > fileLength) {
            problems.add(file + " counts " + bulks + " extra tier bulks, " + mapped + " bytes in all, but the file had "
                    + fileLength + " bytes (opening it lengthens the file); segments were not checked");
            return false;
        }
        if (state.getDataStoreSize() != mapped) {
            problems.add(file + " records a data size of " + state.getDataStoreSize() + " bytes, but its segments and "
                    + bulks + " extra tier bulks take " + mapped);
        }
        long extraTiers = bulks * hash.tiersInBulk;
        long firstExtra = hash.extraTierIndexToTierIndex(0);
        long firstFree = state.getFirstFreeTierIndex();
        if (firstFree != 0 && (firstFree < firstExtra || firstFree >= firstExtra + extraTiers)) {
            problems.add(file + " says the first free extra tier is tier index " + firstFree + ", which is no extra tier"
                    + " of this file: the next segment to need one would be given a wrong one");
        }
        if (state.getExtraTiersInUse() > extraTiers) {
            problems.add(file + " counts " + state.getExtraTiersInUse() + " extra tiers in use, of " + extraTiers + " allocated");
        }
        long allocationLock = OS.memory().readVolatileLong(hash.bsAddress() + hash.headerSize);
        if (allocationLock != 0) {
            problems.add(file + ": the lock that guards handing out extra tiers is held (0x" + Long.toHexString(allocationLock)
                    + "); if no process is adding a tier now, the next segment to need one waits out Chronicle's lock timeout");
        }
        return true;
    }

    /** Adds a line when the segments' chains hold a different number of extra tiers than the map state counts in use. */
    static void checkTiersInUse(ChronicleMap<String, byte[]> map, long extraTiersSeen, List<String> problems) {
        VanillaChronicleHash<?, ?, ?, ?> hash = (VanillaChronicleHash<?, ?, ?, ?>) map;
        long inUse = hash.globalMutableState().getExtraTiersInUse();
        long allocated = (long) hash.globalMutableState().getAllocatedExtraTierBulks() * hash.tiersInBulk;
        if (inUse != extraTiersSeen && inUse <= allocated) { // more than allocated is reported already
            problems.add("Chronicle's map state in " + hash.file() + " counts " + inUse + " extra tiers in use, but the"
                    + " segments' chains hold " + extraTiersSeen);
        }
    }
}
