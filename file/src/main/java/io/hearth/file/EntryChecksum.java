package io.hearth.file;

import io.hearth.HearthException;
import java.nio.file.Path;
import net.openhft.chronicle.hash.ChecksumEntry;
import net.openhft.chronicle.hash.Data;
import net.openhft.chronicle.hash.impl.stage.entry.ChecksumStrategy;
import net.openhft.chronicle.map.MapEntry;

/**
 * The checksum of an entry a read found, verified before its bytes are used. Chronicle stores one
 * after every entry ({@code checksumEntries(true)} in {@link EntriesFile}) but verifies it only
 * when it recovers a file; without this a read hands out bytes changed on disk or in memory.
 */
final class EntryChecksum {
    private EntryChecksum() {
    }

    /**
     * Whether the entry lies inside its tier and its checksum holds. The caller holds the query
     * context's update lock: Chronicle's {@link ChecksumEntry#checkSum()} takes it and cannot
     * upgrade a read lock to it.
     */
    static boolean holds(MapEntry<String, byte[]> entry) {
        Data<byte[]> value = entry.value();
        long size = value.size();
        // Chronicle hashes the entry's raw memory: a damaged value size must not send it past the tier.
        if (size < EntryValue.HEADER || value.offset() + size + ChecksumStrategy.CHECKSUM_STORED_BYTES > value.bytes().capacity()) {
            return false;
        }
        return ((ChecksumEntry) entry).checkSum();
    }

    /** What a read of a damaged entry throws instead of returning its bytes. */
    static HearthException damaged(String compositeKey, Path entriesFile, Path storePath) {
        int separator = compositeKey.indexOf(CompositeKeys.SEPARATOR);
        String map = compositeKey.substring(0, Math.max(separator, 0));
        String key = compositeKey.substring(separator + 1);
        return new HearthException("entry '" + key + "' of map '" + map + "' in " + entriesFile
                + " fails its checksum: its bytes changed after they were written (damage on disk or in memory,"
                + " or a write from outside Hearth), so it was not returned; run StoreCheck on " + storePath
                + " to see what else is damaged");
    }
}
