package io.hearth.file;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;
import net.openhft.chronicle.core.OS;
import net.openhft.chronicle.hash.impl.VanillaChronicleHash;
import net.openhft.chronicle.map.impl.CompiledMapIterationContext;

/**
 * Copies of segments' hash lookups, taken before a repair changes them, so that a repair cut short
 * by another death can be started over from the same state.
 *
 * <p>Chronicle's repair of a tier empties each hash lookup slot and then puts the entry back where
 * it belongs: a process killed in between leaves an entry that no slot points to, which no later
 * repair can find (they start from the slots). So before repairing, the recoverer appends the
 * lookups of the segments it will repair to {@code PATH.entries.repair} and then publishes the
 * valid length in the store file's header; it sets that length to 0 once the repair and the redo
 * of the journal are done. A recoverer that finds a length set writes those lookups back first.
 *
 * <pre>
 *   PATH.entries.repair: records, back to back, little-endian
 *   +-------------+-----------------+--------------+------------------------------+
 *   | segment int | tier index long | length int   | hash lookup bytes of the tier |
 *   +-------------+-----------------+--------------+------------------------------+
 * </pre>
 */
final class SegmentSnapshots {
    private static final int RECORD_HEADER = Integer.BYTES + Long.BYTES + Integer.BYTES;

    private final File snapshotFile;
    private final StoreFile file;

    SegmentSnapshots(File chronicleFile, StoreFile file) {
        this.snapshotFile = new File(chronicleFile + ".repair");
        this.file = file;
    }

    /** Whether a repair was cut short: its snapshot is still published. */
    boolean pending() {
        return file.getLongVolatile(StoreFile.REPAIR_SNAPSHOT_OFFSET) > 0;
    }

    /** Writes back every published lookup; returns the segments they belong to. */
    Set<Integer> restore(VanillaChronicleHash<?, ?, ?, ?> hash) {
        long length = file.getLongVolatile(StoreFile.REPAIR_SNAPSHOT_OFFSET);
        Set<Integer> segments = new LinkedHashSet<>();
        if (length <= 0) {
            return segments;
        }
        ByteBuffer records = ByteBuffer.allocate(Math.toIntExact(length)).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel channel = FileChannel.open(snapshotFile.toPath(), StandardOpenOption.READ)) {
            while (records.hasRemaining() && channel.read(records, records.position()) > 0) {
                // read until the published length
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the repair snapshot " + snapshotFile, e);
        }
        records.flip();
        while (records.remaining() >= RECORD_HEADER) {
            int segment = records.getInt();
            long tierIndex = records.getLong();
            int bytes = records.getInt();
            long address = hash.tierIndexToBaseAddr(tierIndex);
            for (int i = 0; i < bytes; i += Long.BYTES) {
                OS.memory().writeLong(address + i, records.getLong());
            }
            segments.add(segment);
        }
        return segments;
    }

    /**
     * Appends the lookups of every tier of these segments after the published ones, then publishes
     * the new length: a death while appending leaves the previous snapshot as it was.
     */
    void append(Collection<Integer> segments, CompiledMapIterationContext<?, ?, ?> context, VanillaChronicleHash<?, ?, ?, ?> hash) {
        int lookupBytes = Math.toIntExact(hash.tierHashLookupOuterSize);
        if (lookupBytes % Long.BYTES != 0) {
            throw new IllegalStateException("Chronicle's hash lookup is " + lookupBytes + " bytes, not whole longs");
        }
        long published = Math.max(0, file.getLongVolatile(StoreFile.REPAIR_SNAPSHOT_OFFSET));
        long position = published;
        try (FileChannel channel = FileChannel.open(snapshotFile.toPath(), Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            for (int segment : segments) {
                context.initSegmentIndex(segment);
                context.initSegmentTier();
                while (true) {
                    ByteBuffer record = ByteBuffer.allocate(RECORD_HEADER + lookupBytes).order(ByteOrder.LITTLE_ENDIAN);
                    record.putInt(segment).putLong(context.tierIndex()).putInt(lookupBytes);
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
            throw new UncheckedIOException("cannot write the repair snapshot " + snapshotFile, e);
        }
        // The bytes are in the page cache, which outlives this process; only then is the length published.
        file.setLongRelease(StoreFile.REPAIR_SNAPSHOT_OFFSET, position);
    }

    /** The repair is complete: its snapshot no longer applies. */
    void discard() {
        file.setLongRelease(StoreFile.REPAIR_SNAPSHOT_OFFSET, 0);
    }
}
