package io.hearth.file;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import io.hearth.HearthException;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.VanillaChronicleMap;
import net.openhft.chronicle.map.impl.CompiledMapIterationContext;
import net.openhft.chronicle.map.impl.IterationContext;

/**
 * The integrity check of the entries: Chronicle Map's map-wide state ({@link MapStateCheck}), then
 * each segment as Chronicle lays it out ({@link SegmentCheck}: lock word, counters, tier chain,
 * every hash lookup slot, the free list, every entry's bounds and checksum), then each entry a read
 * finds as Hearth wrote it (key shape, version range, JSON), and the header's entry count against
 * the entries found. A segment that cannot be read is a line of the report naming it, never an
 * exception. It never repairs: a segment whose stripe a dead process holds is reported and left
 * for the repair the next map call runs, so the report shows what a crash left behind.
 */
final class EntryCheck {

    /** What one shard's check found: the entries a read finds whole, and whether every segment could be read. */
    record Found(long entries, boolean everySegment) {
    }

    private final ChronicleMap<String, byte[]> map;
    private final int shard;
    private final long routing;
    private final StoreHeader header;
    private final MapLockTable locks;
    private final long fileLength;

    /**
     * @param shard      which shard map is ({@link EntryShards})
     * @param routing    the routing word: an entry of map that it sends to another shard is one reads miss
     * @param fileLength the entries file's length before map was opened
     */
    EntryCheck(ChronicleMap<String, byte[]> map, int shard, long routing, StoreFile store, MapLockTable locks, long fileLength) {
        this.map = map;
        this.shard = shard;
        this.routing = routing;
        this.header = store.header();
        this.locks = locks;
        this.fileLength = fileLength;
    }

    /** Adds a line to problems for each thing wrong in this shard. */
    Found check(List<String> problems) {
        long versionSequence = header.versionSequence();
        JsonFactory json = new JsonFactory();
        long[] found = {0};
        boolean[] idFound = {false};
        if (!MapStateCheck.check(map, fileLength, problems)) {
            return new Found(0, false);
        }
        boolean everySegment = true;
        try (IterationContext<String, byte[], ?> iteration = ((VanillaChronicleMap<String, byte[], ?>) map).iterationContext()) {
            SegmentCheck segments = new SegmentCheck(map, (CompiledMapIterationContext<String, byte[], ?>) iteration);
            for (int segment = 0; segment < map.segments(); segment++) {
                int stripe = locks.stripeOf(shard, segment);
                try {
                    if (!locks.lock(stripe)) {
                        problems.add("segment " + segment + " was not checked: its map lock stripe " + stripe
                                + " is held by a dead process, and no process has repaired it yet");
                        everySegment = false;
                        continue;
                    }
                } catch (HearthException e) {
                    problems.add("segment " + segment + " was not checked: " + e.getMessage());
                    everySegment = false;
                    continue;
                }
                try {
                    segments.check(segment, problems, (compositeKey, raw) -> {
                        if (compositeKey.equals(EntriesFile.ID_KEY)) {
                            idFound[0] = true;
                            checkStoreId(raw, problems);
                        } else {
                            found[0]++;
                            checkEntry(compositeKey, raw, versionSequence, json, problems);
                            int belongs = ShardRouting.shardOf(ShardRouting.hash(compositeKey), routing);
                            if (belongs != shard && header.split() == 0) {
                                problems.add("entry " + CompositeKeys.printable(compositeKey) + " is in shard " + shard
                                        + " but the routing sends its key to shard " + belongs + ": reads miss it");
                            }
                        }
                    });
                } catch (RuntimeException | AssertionError e) {
                    // Damage the segment check did not foresee: a line naming the segment, and on to the next.
                    problems.add("segment " + segment + " could not be read to the end: " + e);
                    everySegment = false;
                } finally {
                    locks.unlock(stripe);
                }
            }
            if (everySegment) {
                MapStateCheck.checkTiersInUse(map, segments.extraTiersSeen(), problems);
            }
        }
        if (everySegment && !idFound[0]) {
            problems.add("the entries file of shard " + shard + " holds no store id (" + CompositeKeys.printable(EntriesFile.ID_KEY)
                    + "): it was not made with this store");
        }
        return new Found(found[0], everySegment);
    }

    private void checkStoreId(byte[] id, List<String> problems) {
        if (!Arrays.equals(id, header.storeId())) {
            problems.add("the entries file's store id does not match the store file's: they belong to different stores");
        }
    }

    private static void checkEntry(String compositeKey, byte[] raw, long versionSequence, JsonFactory json, List<String> problems) {
        int separator = compositeKey.indexOf(CompositeKeys.SEPARATOR);
        if (separator < 1 || separator == compositeKey.length() - 1) {
            problems.add("entry key " + CompositeKeys.printable(compositeKey) + " is not map name, NUL, key");
            return;
        }
        if (raw.length < EntryValue.HEADER) {
            problems.add("entry " + CompositeKeys.printable(compositeKey) + " is " + raw.length
                    + " bytes, shorter than its version and expiry");
            return;
        }
        long version = EntryValue.version(raw);
        if (version < 1 || version > versionSequence) {
            problems.add("entry " + CompositeKeys.printable(compositeKey) + " has version " + version
                    + ", outside 1.." + versionSequence + " (the versions handed out)");
        }
        if (EntryValue.expiresAt(raw) < 0) {
            problems.add("entry " + CompositeKeys.printable(compositeKey) + " expires at " + EntryValue.expiresAt(raw)
                    + ", before 1970");
        }
        try (JsonParser parser = json.createParser(raw, EntryValue.JSON, raw.length - EntryValue.JSON)) {
            if (parser.nextToken() == null) {
                problems.add("entry " + CompositeKeys.printable(compositeKey) + " has no JSON");
            }
            parser.skipChildren();
            if (parser.nextToken() != null) {
                problems.add("entry " + CompositeKeys.printable(compositeKey) + " has bytes after its JSON value");
            }
        } catch (IOException e) {
            problems.add("entry " + CompositeKeys.printable(compositeKey) + " holds broken JSON: " + e.getMessage());
        }
    }
}
