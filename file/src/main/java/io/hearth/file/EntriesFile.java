package io.hearth.file;

import io.hearth.HearthException;

import java.io.File;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import net.openhft.chronicle.hash.ChronicleHashCorruption;
import net.openhft.chronicle.hash.impl.SizePrefixedBlob;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ChronicleMapBuilder;

/**
 * The entries file, {@code PATH.entries}: one Chronicle Map holding every map entry of the store,
 * keyed by composite key ({@link CompositeKeys}). This class knows how the map is configured and
 * reads or clears the ready mark of Chronicle's own header; it opens the map, never repairs it.
 *
 * <pre>
 *  key:   map name, NUL, key
 *  value: +------------------+-------------------------+
 *         | version, 8 bytes | JSON of the value, UTF-8 |
 *         | little-endian    |                          |
 *         +------------------+-------------------------+
 *  plus one reserved entry, {@link #ID_KEY} -> the store id of the store file it belongs to
 * </pre>
 *
 * A map name is never empty, so the reserved key, which starts with NUL, is no map's. A new
 * entries file is built beside its final name ({@link #creatingPath}) and renamed into place only
 * once whole, id included: an entries file under the final name is always complete.
 */
final class EntriesFile {
    static final int CHUNK_BYTES = 64;
    /** The reserved entry naming the store this file belongs to. */
    static final String ID_KEY = CompositeKeys.SEPARATOR + "store-id";
    /** Entries of the file that are no map's: {@link #ID_KEY}. */
    static final long RESERVED_ENTRIES = 1;

    private final Path storePath;
    private final int shard;
    private final File file;
    private final ChronicleMapBuilder<String, byte[]> builder;

    /** Shard 0's entries file beside the store file at storePath, shaped by the store's layout. */
    EntriesFile(Path storePath, StoreLayout layout, int expectedKeyBytes, int expectedValueBytes) {
        this(storePath, 0, layout, expectedKeyBytes, expectedValueBytes);
    }

    /** The entries file of one shard ({@link ShardRouting}) beside the store file at storePath. */
    EntriesFile(Path storePath, int shard, StoreLayout layout, int expectedKeyBytes, int expectedValueBytes) {
        this.storePath = storePath;
        this.shard = shard;
        this.file = pathOf(storePath, shard).toFile();
        int maxEntryBytes = layout.maxCompositeKeyBytes() + EntryValue.HEADER + layout.maxValueBytes();
        int maxChunksPerEntry = maxEntryBytes / CHUNK_BYTES + 2;
        // Chronicle caps one entry at the chunks of one segment tier; four entries' worth of
        // largest entries per the whole map was measured to fit the largest value in every shape.
        long chronicleEntries = Math.max(layout.shardEntries(), 4L * maxChunksPerEntry);
        this.builder = ChronicleMapBuilder.of(String.class, byte[].class)
                .name("hearth-entries")
                .entries(chronicleEntries)
                .averageKeySize(Math.min(expectedKeyBytes + 16, layout.maxCompositeKeyBytes()))
                .averageValueSize(Math.min(expectedValueBytes, layout.maxValueBytes()) + EntryValue.HEADER)
                .actualChunkSize(CHUNK_BYTES)
                .maxChunksPerEntry(maxChunksPerEntry)
                .maxBloatFactor(8) // a shard not split yet may take 1.5 times its size before its turn
                // Recovery keeps only entries whose checksum holds: a value cut short is dropped, then rewritten from the journal.
                .checksumEntries(true)
                // SharedStore.close() owns closing; Chronicle's own exit hook would close the map
                // under requests still in flight while an application shuts down.
                .skipCloseOnExitHook(true);
        fitLargestEntryInOneTier(builder, maxChunksPerEntry);
    }

    /**
     * Chronicle caps an entry at the chunks of one segment tier, and sizes tiers from the typical
     * entry: with small typical entries, a tier holds about 9,000 chunks, and an entry of a
     * maximal value (1 MiB is 16,390 chunks) was refused ("Entry is too large"). When that would
     * happen, tiers are made larger by giving each segment proportionally more entries.
     */
    private static void fitLargestEntryInOneTier(ChronicleMapBuilder<String, byte[]> builder, int maxChunksPerEntry) {
        long chunksPerTier = chronicleSizing(builder, "actualChunksPerSegmentTier");
        if (chunksPerTier >= maxChunksPerEntry) {
            return;
        }
        long entriesPerSegment = chronicleSizing(builder, "entriesPerSegment");
        builder.entriesPerSegment(Math.max(entriesPerSegment + 1,
                (long) Math.ceil((double) entriesPerSegment * maxChunksPerEntry / chunksPerTier)));
    }

    /** One of the sizes Chronicle's builder derives (package-private there). */
    private static long chronicleSizing(ChronicleMapBuilder<String, byte[]> builder, String method) {
        try {
            Method derived = ChronicleMapBuilder.class.getDeclaredMethod(method);
            derived.setAccessible(true);
            return ((Number) derived.invoke(builder)).longValue();
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new HearthException("cannot read Chronicle's " + method + " (a Chronicle Map version Hearth was"
                    + " not built with?): " + e, e);
        }
    }

    /** Where shard 0's entries file of the store at storePath lives. */
    static Path pathOf(Path storePath) {
        return pathOf(storePath, 0);
    }

    /** Where a shard's entries file lives: {@code PATH.entries} for shard 0, {@code PATH.entries.N} for shard N. */
    static Path pathOf(Path storePath, int shard) {
        return Path.of(storePath + ".entries" + (shard == 0 ? "" : "." + shard));
    }

    /** Where shard 0's new entries file is built before it is renamed to {@link #pathOf}. */
    static Path creatingPath(Path storePath) {
        return creatingPath(storePath, 0);
    }

    static Path creatingPath(Path storePath, int shard) {
        return Path.of(pathOf(storePath, shard) + ".creating");
    }

    /** Whether shard 0's entries file of the store at storePath is absent or empty. */
    static boolean isNew(Path storePath) {
        return isNew(storePath, 0);
    }

    static boolean isNew(Path storePath, int shard) {
        File entries = pathOf(storePath, shard).toFile();
        return !entries.exists() || entries.length() == 0;
    }

    int shard() {
        return shard;
    }

    File file() {
        return file;
    }

    Path path() {
        return file.toPath();
    }

    /** Opens the existing map; no repair. */
    ChronicleMap<String, byte[]> open() throws IOException {
        if (isNew(storePath, shard)) {
            throw new IOException("the entries file " + file + " is missing or empty");
        }
        return builder.createPersistedTo(file);
    }

    /**
     * Builds a new, empty entries file holding storeId, owner-only from its first byte, beside the
     * final name, and renames it into place; a leftover of a creation cut short is replaced.
     */
    void create(byte[] storeId) throws IOException {
        Path creating = creatingPath(storePath, shard);
        Files.deleteIfExists(creating);
        Files.createFile(creating, PosixFilePermissions.asFileAttribute(StoreOpener.OWNER_ONLY));
        CreationSteps.reached("entries-file-started");
        try (ChronicleMap<String, byte[]> map = builder.createPersistedTo(creating.toFile())) {
            CreationSteps.reached("entries-map-created");
            map.put(ID_KEY, storeId);
        }
        CreationSteps.reached("entries-file-built");
        Files.move(creating, file.toPath(), StandardCopyOption.ATOMIC_MOVE);
    }

    /** The store id the map holds, or null when it holds none (not a Hearth entries file of this format). */
    static byte[] storeIdIn(ChronicleMap<String, byte[]> map) {
        return map.get(ID_KEY);
    }

    /** The map entries of the file, reserved ones left out: what the header's entry count must say. */
    static long countEntries(ChronicleMap<String, byte[]> map) {
        return map.longSize() - (map.containsKey(ID_KEY) ? RESERVED_ENTRIES : 0);
    }

    /**
     * Chronicle's whole-file recovery: resets every segment lock, rebuilds every segment's tables
     * from the entries whose checksums hold. Only when no other process has the file open.
     */
    ChronicleMap<String, byte[]> recover(ChronicleHashCorruption.Listener listener) throws IOException {
        return builder.recoverPersistedTo(file, true, listener);
    }

    /**
     * Whether Chronicle's header is marked complete. A recovery cut short by a death leaves it
     * marked not complete, and Chronicle then waits a minute for whoever is finishing it.
     */
    boolean headerComplete() throws IOException {
        try (FileChannel channel = FileChannel.open(file.toPath(), StandardOpenOption.READ)) {
            return SizePrefixedBlob.isReady(readSizeWord(channel));
        }
    }

    /**
     * Marks Chronicle's header complete (its checksum covers the ready state, so this is what a
     * finished header holds) and says whether it was marked not complete. Only when no process
     * has the file open: then nobody is finishing it.
     */
    boolean clearNotComplete() throws IOException {
        try (FileChannel channel = FileChannel.open(file.toPath(), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            int sizeWord = readSizeWord(channel);
            if (SizePrefixedBlob.isReady(sizeWord)) {
                return false;
            }
            ByteBuffer ready = ByteBuffer.allocate(Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            ready.putInt(0, sizeWord & ~SizePrefixedBlob.NOT_COMPLETE);
            channel.write(ready, SizePrefixedBlob.SIZE_WORD_OFFSET);
            return true;
        }
    }

    /** Chronicle's header size word; a file too short to hold one reads as ready (Chronicle judges it). */
    private static int readSizeWord(FileChannel channel) throws IOException {
        ByteBuffer sizeWord = ByteBuffer.allocate(Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        return channel.read(sizeWord, SizePrefixedBlob.SIZE_WORD_OFFSET) < Integer.BYTES ? 0 : sizeWord.getInt(0);
    }
}
