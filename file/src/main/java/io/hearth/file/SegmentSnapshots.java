package io.hearth.file;

import java.io.File;
import java.io.IOException;
import io.hearth.HearthException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.LinkedHashSet;
import java.util.Set;
import net.openhft.chronicle.core.OS;
import net.openhft.chronicle.hash.impl.VanillaChronicleHash;
import net.openhft.chronicle.map.VanillaChronicleMap;
import net.openhft.chronicle.map.impl.IterationContext;
import net.openhft.chronicle.map.impl.CompiledMapIterationContext;

/**
 * Copies of segments' hash lookups, taken before a repair changes them, so that a repair cut short
 * by another death can be started over from the same state.
 *
 * <p>Chronicle's repair of a tier empties each hash lookup slot and then puts the entry back where
 * it belongs: a process killed in between leaves an entry that no slot points to, which no later
 * repair can find (they start from the slots). So before repairing, the recoverer appends the
 * lookups of the segments it will repair to {@code PATH.entries.repair} and then publishes the
 * valid length in the store header ({@link StoreHeader#REPAIR_SNAPSHOT_OFFSET}); it sets that length to 0 once the repair and the redo
 * of the journal are done. A recoverer that finds a length set writes those lookups back first.
 *
 * <pre>
 *   PATH.entries.repair: records, back to back, little-endian
 *   +-----------+-------------+-----------------+------------+------------------------------+
 *   | shard int | segment int | tier index long | length int | hash lookup bytes of the tier |
 *   +-----------+-------------+-----------------+------------+------------------------------+
 * </pre>
 */
final class SegmentSnapshots {
    private static final int RECORD_HEADER = Integer.BYTES + Integer.BYTES + Long.BYTES + Integer.BYTES;

    /** A segment of a shard, as the snapshot names it. */
    record ShardSegment(int shard, int segment) {
    }

    private final File snapshotFile;
    private final StoreHeader header;

    SegmentSnapshots(StoreFile store) {
        this.snapshotFile = new File(EntriesFile.pathOf(store.path()) + ".repair");
        this.header = store.header();
    }

    /** Whether a repair was cut short: its snapshot is still published. */
    boolean pending() {
        return header.repairSnapshotLength() > 0;
    }

    /** Writes back every published lookup; returns the segments they belong to. */
    Set<ShardSegment> restore(EntryShards shards) {
        long length = header.repairSnapshotLength();
        Set<ShardSegment> segments = new LinkedHashSet<>();
        if (length <= 0) {
            return segments;
        }
        ByteBuffer records = ByteBuffer.allocate(Math.toIntExact(length)).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel channel = FileChannel.open(snapshotFile.toPath(), StandardOpenOption.READ)) {
            while (records.hasRemaining() && channel.read(records, records.position()) > 0) {
                // read until the published length
            }
        } catch (IOException e) {
            throw new HearthException("cannot read the repair snapshot " + snapshotFile + ": " + e.getMessage(), e);
        }
        records.flip();
        while (records.remaining() >= RECORD_HEADER) {
            int shard = records.getInt();
            int segment = records.getInt();
            long tierIndex = records.getLong();
            int bytes = records.getInt();
            VanillaChronicleHash<?, ?, ?, ?> hash = (VanillaChronicleHash<?, ?, ?, ?>) shards.shard(shard).map();
            long address = hash.tierIndexToBaseAddr(tierIndex);
            for (int i = 0; i < bytes; i += Long.BYTES) {
                OS.memory().writeLong(address + i, records.getLong());
            }
            segments.add(new ShardSegment(shard, segment));
        }
        return segments;
    }

    /**
     * Appends the lookups of every tier of these segments after the published ones, then publishes
     * the new length: a death while appending leaves the previous snapshot as it was.
     */
    void append(int shard, Collection<Integer> segments, CompiledMapIterationContext<?, ?, ?> context,
                VanillaChronicleHash<?, ?, ?, ?> hash) {
        int lookupBytes = Math.toIntExact(hash.tierHashLookupOuterSize);
        if (lookupBytes % Long.BYTES != 0) {
            throw new HearthException("Chronicle's hash lookup is " + lookupBytes + " bytes, not whole longs");
        }
        long published = Math.max(0, header.repairSnapshotLength());
        long position = published;
        try (FileChannel channel = FileChannel.open(snapshotFile.toPath(), Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            for (int segment : segments) {
                context.initSegmentIndex(segment);
                context.initSegmentTier();
                while (true) {
                    ByteBuffer record = ByteBuffer.allocate(RECORD_HEADER + lookupBytes).order(ByteOrder.LITTLE_ENDIAN);
                    record.putInt(shard).putInt(segment).putLong(context.tierIndex()).putInt(lookupBytes);
                    long address = context.tierBaseAddr();
                    for (int i = 0; i < lookupBytes; i += Long.BYTES) {
                        record.putLong(OS.memory().readLong(address + i));
                    }
                    record.flip();
                    while (record.hasRemaining()) {
                        position += channel.write(record, position);
                    }
                    if (!context.hasNextTier()) {
                        break;
                    }
                    context.nextTier();
                }
            }
        } catch (IOException e) {
            throw new HearthException("cannot write the repair snapshot " + snapshotFile + ": " + e.getMessage(), e);
        }
        // The bytes are in the page cache, which outlives this process; only then is the length published.
        header.publishRepairSnapshotLength(position);
    }

    /**
     * Saves the hash lookups of every segment of every shard not saved yet (after putting back those
     * of a repair cut short), before a recovery of whole maps, which empties lookups too.
     */
    void saveEverySegment(EntryShards shards, List<String> problems) {
        Set<ShardSegment> restored = restore(shards);
        if (!restored.isEmpty()) {
            problems.add("a repair of segments " + restored + " was cut short; started over");
        }
        for (EntryShards.Shard shard : shards.all()) {
            List<Integer> rest = new ArrayList<>();
            for (int segment = 0; segment < shard.map().segments(); segment++) {
                if (!restored.contains(new ShardSegment(shard.index(), segment))) {
                    rest.add(segment);
                }
            }
            try (IterationContext<String, byte[], ?> iteration = ((VanillaChronicleMap<String, byte[], ?>) shard.map()).iterationContext()) {
                append(shard.index(), rest, (CompiledMapIterationContext<String, byte[], ?>) iteration,
                        (VanillaChronicleHash<?, ?, ?, ?>) shard.map());
            }
        }
    }

    /** The repair is complete: its snapshot no longer applies. */
    void discard() {
        header.publishRepairSnapshotLength(0);
    }
}
