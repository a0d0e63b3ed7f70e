package io.hearth.file;

import io.hearth.StoreFullException;
import io.hearth.spi.Processes;

import java.io.File;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.BitSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import io.hearth.spi.StoreBackend;
import io.hearth.spi.StoredEntry;
import net.openhft.chronicle.core.OS;
import net.openhft.chronicle.hash.ChronicleHashCorruption;
import net.openhft.chronicle.hash.Data;
import net.openhft.chronicle.hash.impl.SizePrefixedBlob;
import net.openhft.chronicle.hash.impl.VanillaChronicleHash;
import net.openhft.chronicle.map.ChronicleHashCorruptionImpl;
import net.openhft.chronicle.map.MapSegmentContext;
import net.openhft.chronicle.map.VanillaChronicleMap;
import net.openhft.chronicle.map.impl.CompiledMapIterationContext;
import net.openhft.chronicle.map.impl.IterationContext;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ChronicleMapBuilder;
import net.openhft.chronicle.map.ExternalMapQueryContext;
import net.openhft.chronicle.map.MapEntry;

/**
 * Map entries of every {@link SharedMap} of a store, in one Chronicle Map file.
 *
 * <pre>
 *  key:   map name, NUL, key                  (map names cannot contain NUL, so this splits one way only)
 *  value: +------------------+------------------------+
 *         | version, 8 bytes | JSON of the value, UTF-8|
 *         | little-endian    |                         |
 *         +------------------+------------------------+
 * </pre>
 *
 * <p>Every Chronicle call, reads included, runs holding the {@link MapLocks} stripe of its
 * segment, and the lock covers only byte copies, one atomic add for the version, and the
 * entry-count check: no JSON, no user code. Every write is journaled in the stripe first, so a
 * process that finds the holder dead can repair the segment and finish the write. Versions come
 * from the store-wide sequence in the store file, so they are unique and grow with every write.
 */
final class Entries implements AutoCloseable {
    static final long ANY = StoreBackend.ANY;
    static final long ABSENT = StoreBackend.ABSENT;
    static final long CONFLICT = StoreBackend.CONFLICT;

    static final int CHUNK_BYTES = 64;
    private static final char SEPARATOR = '\0';
    private static final System.Logger LOG = System.getLogger(Entries.class.getName());
    private static final VarHandle VERSION = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final ChronicleMap<String, byte[]> map;
    private final StoreFile file;
    private final File chronicleFile;
    private final MapLocks locks;
    private final SegmentSnapshots snapshots;

    private Entries(ChronicleMap<String, byte[]> map, StoreFile file, File chronicleFile, MapLocks locks) {
        this.map = map;
        this.file = file;
        this.chronicleFile = chronicleFile;
        this.locks = locks;
        this.snapshots = new SegmentSnapshots(chronicleFile, file);
        locks.repairWith(this::repairAfterDeadHolder);
    }

    /**
     * Opens or creates the Chronicle file; the caller holds the store's creation lock.
     *
     * @param recover repair the file first (Chronicle's recovery: resets segment locks left by dead
     *                processes, rebuilds segment tables), redo journaled writes, recount the entries
     *                and free every map lock; only when no other live process has the store open
     */
    static Entries open(File chronicleFile, StoreFile file, int expectedKeyBytes, int expectedValueBytes, boolean recover)
            throws IOException {
        StoreFile.Layout layout = file.layout();
        int maxEntryBytes = layout.maxKeyBytes() + StoreFile.MAX_MAP_NAME_BYTES + 1 + Long.BYTES + layout.maxValueBytes();
        int maxChunksPerEntry = maxEntryBytes / CHUNK_BYTES + 2;
        // Chronicle caps one entry at the chunks of one segment tier; four entries' worth of
        // largest entries per the whole map was measured to fit the largest value in every shape.
        long chronicleEntries = Math.max(layout.maxEntries(), 4L * maxChunksPerEntry);
        ChronicleMapBuilder<String, byte[]> builder = ChronicleMapBuilder.of(String.class, byte[].class)
                .name("hearth-entries")
                .entries(chronicleEntries)
                .averageKeySize(Math.min(expectedKeyBytes + 16, layout.maxKeyBytes() + StoreFile.MAX_MAP_NAME_BYTES + 1))
                .averageValueSize(Math.min(expectedValueBytes, layout.maxValueBytes()) + Long.BYTES)
                .actualChunkSize(CHUNK_BYTES)
                .maxChunksPerEntry(maxChunksPerEntry)
                .maxBloatFactor(4)
                // Recovery keeps only entries whose checksum holds: a value cut short is dropped, then rewritten from the journal.
                .checksumEntries(true)
                // SharedStore.close() owns closing; Chronicle's own exit hook would close the map
                // under requests still in flight while an application shuts down.
                .skipCloseOnExitHook(true);
        MapLocks locks = new MapLocks(file, Processes.currentPid());
        if (!recover) {
            return new Entries(builder.createPersistedTo(chronicleFile), file, chronicleFile, locks);
        }
        SegmentSnapshots snapshots = new SegmentSnapshots(chronicleFile, file);
        if (!locks.anyHeld() && locks.journaled().isEmpty() && !snapshots.pending() && !markedNotComplete(chronicleFile)) {
            // Chronicle's locks are only ever taken under a map lock, so with none held by the dead, nothing is half done.
            file.setIntVolatile(StoreFile.CRASH_SEEN_OFFSET, 0);
            LOG.log(System.Logger.Level.INFO, "processes died while attached to " + chronicleFile
                    + ", none inside a map lock: nothing to repair");
            return new Entries(builder.createPersistedTo(chronicleFile), file, chronicleFile, locks);
        }
        List<String> problems = new ArrayList<>();
        if (clearNotComplete(chronicleFile)) {
            problems.add("Chronicle's header was left marked not complete (a recovery cut short)");
        }
        // Chronicle's whole-file recovery empties lookup slots before refilling them, like the live
        // repair: every segment's lookups are saved first (a repair cut short is put back first).
        try (ChronicleMap<String, byte[]> beforeRecovery = builder.createPersistedTo(chronicleFile);
             IterationContext<String, byte[], ?> iteration = ((VanillaChronicleMap<String, byte[], ?>) beforeRecovery).iterationContext()) {
            snapshotEverySegment(snapshots, beforeRecovery, (CompiledMapIterationContext<String, byte[], ?>) iteration, problems);
        }
        ChronicleMap<String, byte[]> map = builder.recoverPersistedTo(chronicleFile, true,
                corruption -> problems.add(corruption.message()));
        List<MapLocks.Intent> journaled = locks.journaled();
        redo(map, journaled);
        // Recounted before the marks that make the next open repair are cleared.
        long before = file.getLongVolatile(StoreFile.ENTRY_COUNT_OFFSET);
        file.setLongVolatile(StoreFile.ENTRY_COUNT_OFFSET, map.longSize());
        snapshots.discard();
        locks.resetAll();
        file.setIntVolatile(StoreFile.CRASH_SEEN_OFFSET, 0);
        LOG.log(System.Logger.Level.WARNING, "recovered " + chronicleFile + " after processes died while attached: "
                + problems.size() + " repairs " + problems + ", " + journaled.size() + " journaled writes done again;"
                + " entry count " + before + " -> " + map.longSize());
        return new Entries(map, file, chronicleFile, locks);
    }

    /**
     * A recovery cut short by a death leaves Chronicle's header marked not complete, and Chronicle
     * then waits a minute for whoever is finishing it. The caller holds the open lock and knows no
     * process is attached, so nobody is: clears the mark (the header's checksum covers the ready
     * state, so this is what a finished header holds) and says whether it was set.
     */
    private static boolean clearNotComplete(File chronicleFile) throws IOException {
        try (FileChannel channel = FileChannel.open(chronicleFile.toPath(), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
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

    private static boolean markedNotComplete(File chronicleFile) throws IOException {
        try (FileChannel channel = FileChannel.open(chronicleFile.toPath(), StandardOpenOption.READ)) {
            return !SizePrefixedBlob.isReady(readSizeWord(channel));
        }
    }

    /** Chronicle's header size word; a file too short to hold one reads as ready (Chronicle judges it). */
    private static int readSizeWord(FileChannel channel) throws IOException {
        ByteBuffer sizeWord = ByteBuffer.allocate(Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        return channel.read(sizeWord, SizePrefixedBlob.SIZE_WORD_OFFSET) < Integer.BYTES ? 0 : sizeWord.getInt(0);
    }

    static String compositeKey(String mapName, String key) {
        return mapName + SEPARATOR + key;
    }

    static String mapPrefix(String mapName) {
        return mapName + SEPARATOR;
    }

    /** The stored entry, or null. */
    StoredEntry get(String compositeKey) {
        return locked(compositeKey, (context, stripe) -> {
            MapEntry<String, byte[]> entry = context.entry();
            if (entry == null) {
                return null;
            }
            Data<byte[]> value = entry.value();
            byte[] json = new byte[Math.toIntExact(value.size() - Long.BYTES)];
            value.bytes().read(value.offset() + Long.BYTES, json, 0, json.length);
            return new StoredEntry(versionOf(value), json);
        });
    }

    /**
     * Writes json under the key if its current version is {@code expected} ({@link #ANY}: any,
     * {@link #ABSENT}: only if absent).
     *
     * @return the new version, or {@link #CONFLICT} when the current version differed
     */
    long write(String compositeKey, long expected, byte[] json) {
        byte[] value = new byte[Long.BYTES + json.length];
        System.arraycopy(json, 0, value, Long.BYTES, json.length);
        return locked(compositeKey, (context, stripe) -> {
            context.updateLock().lock();
            MapEntry<String, byte[]> entry = context.entry();
            long current = entry == null ? ABSENT : versionOf(entry.value());
            if (expected != ANY && current != expected) {
                return CONFLICT;
            }
            if (entry == null) {
                reserveEntry();
            }
            long version = nextVersion();
            VERSION.set(value, 0, version);
            locks.journalPut(stripe, compositeKey, value);
            try {
                if (entry == null) {
                    context.insert(context.absentEntry(), context.wrapValueAsData(value));
                } else {
                    context.replaceValue(entry, context.wrapValueAsData(value));
                }
            } catch (RuntimeException e) {
                if (entry == null) {
                    file.getAndAddLong(StoreFile.ENTRY_COUNT_OFFSET, -1);
                }
                throw translate(e);
            }
            return version;
        });
    }

    /**
     * Removes the key if its current version is {@code expected} ({@link #ANY}: any version).
     *
     * @return what was removed, or null when absent or the version differed
     */
    StoredEntry remove(String compositeKey, long expected) {
        return locked(compositeKey, (context, stripe) -> {
            context.updateLock().lock();
            MapEntry<String, byte[]> entry = context.entry();
            if (entry == null) {
                return null;
            }
            long current = versionOf(entry.value());
            if (expected != ANY && current != expected) {
                return null;
            }
            byte[] raw = entry.value().get();
            locks.journalRemove(stripe, compositeKey);
            context.remove(entry);
            file.getAndAddLong(StoreFile.ENTRY_COUNT_OFFSET, -1);
            return new StoredEntry(current, Arrays.copyOfRange(raw, Long.BYTES, raw.length));
        });
    }

    /** One Chronicle call on the key's segment, holding that segment's stripe (see {@link MapLocks}). */
    private <T> T locked(String compositeKey, BiFunction<ExternalMapQueryContext<String, byte[], ?>, Integer, T> call) {
        while (true) {
            ExternalMapQueryContext<String, byte[], ?> context = map.queryContext(compositeKey);
            int stripe;
            boolean locked;
            try {
                stripe = locks.stripeOf(context.segmentIndex());
                locked = locks.lock(stripe);
            } catch (RuntimeException | Error e) {
                context.close();
                throw e;
            }
            if (!locked) {
                context.close(); // the recoverer must be the only Chronicle context of its thread
                locks.recoverDeadOwners();
                continue;
            }
            try {
                // Chronicle finishes a write when the context closes (it stores the entry's checksum,
                // then releases its lock): only then is the journal cleared and our stripe released.
                try (context) {
                    return call.apply(context, stripe);
                }
            } finally {
                locks.clearJournal(stripe);
                locks.unlock(stripe);
            }
        }
    }

    /** Calls visit with each entry of one segment at a time, holding that segment's stripe. */
    private void forEachEntry(Consumer<MapEntry<String, byte[]>> visit) {
        for (int segment = 0; segment < map.segments(); segment++) {
            int stripe = locks.stripeOf(segment);
            while (!locks.lock(stripe)) {
                locks.recoverDeadOwners();
            }
            try (MapSegmentContext<String, byte[], ?> context = map.segmentContext(segment)) {
                context.forEachSegmentEntry(visit);
            } finally {
                locks.unlock(stripe);
            }
        }
    }

    /** Calls action with each key of the map, without the map prefix; a weakly consistent walk. */
    void forEachKey(String mapName, Consumer<String> action) {
        String prefix = mapPrefix(mapName);
        List<String> keys = new ArrayList<>();
        forEachEntry(entry -> {
            String compositeKey = entry.key().get();
            if (compositeKey.startsWith(prefix)) {
                keys.add(compositeKey.substring(prefix.length()));
            }
        });
        keys.forEach(action);
    }

    /**
     * Repairs the entries file after a process died holding a stripe; the caller holds every stripe,
     * so no other process is inside Chronicle. Each segment of a dead stripe whose Chronicle lock
     * word is set (the dead process was inside it) gets Chronicle's own repair for one segment: lock
     * reset, every tier's hash lookup rebuilt from the entries whose checksums hold (the rest
     * dropped), duplicates removed, counters fixed. Should that fail, the whole map gets Chronicle's
     * repair. Then every journaled write is done again, so a write cut short is complete (a put) or
     * done (a remove), never torn, and the entries are recounted.
     */
    private void repairAfterDeadHolder(BitSet deadStripes, List<MapLocks.Intent> journaled) {
        VanillaChronicleHash<?, ?, ?, ?> hash = (VanillaChronicleHash<?, ?, ?, ?>) map;
        List<Integer> halfDone = new ArrayList<>();
        for (int segment = 0; segment < map.segments(); segment++) {
            if (deadStripes.get(locks.stripeOf(segment)) && OS.memory().readVolatileLong(hash.segmentHeaderAddress(segment)) != 0) {
                halfDone.add(segment);
            }
        }
        if (halfDone.isEmpty() && journaled.isEmpty() && !snapshots.pending()) {
            // A death between counting an entry in and journaling it leaves only the count off.
            long before = count();
            file.setLongVolatile(StoreFile.ENTRY_COUNT_OFFSET, map.longSize());
            LOG.log(System.Logger.Level.WARNING, "a process died holding a map lock of " + chronicleFile
                    + " outside Chronicle's segment locks: nothing was half done; entry count " + before + " -> " + count());
            return;
        }
        List<String> problems = new ArrayList<>();
        ChronicleHashCorruption.Listener listener = corruption -> problems.add(corruption.message());
        long started = System.nanoTime();
        resetTierAllocationLock(problems);
        Set<Integer> repaired = new TreeSet<>(halfDone);
        try (IterationContext<String, byte[], ?> recovery = ((VanillaChronicleMap<String, byte[], ?>) map).iterationContext()) {
            CompiledMapIterationContext<String, byte[], ?> context = (CompiledMapIterationContext<String, byte[], ?>) recovery;
            Set<Integer> restored = snapshots.restore(hash);
            if (!restored.isEmpty()) {
                problems.add("a repair of segments " + restored + " was cut short; started over");
            }
            List<Integer> fresh = halfDone.stream().filter(segment -> !restored.contains(segment)).toList();
            if (!fresh.isEmpty()) {
                snapshots.append(fresh, context, hash);
            }
            repaired.addAll(restored);
            try {
                for (int segment : repaired) {
                    repairSegment(context, segment, listener);
                }
            } catch (RuntimeException e) {
                problems.add("repairing segments " + repaired + " failed (" + e + "); repaired the whole map");
                snapshotEverySegment(snapshots, map, context, problems);
                recovery.recoverSegments(listener, new ChronicleHashCorruptionImpl());
            }
        }
        redo(map, journaled);
        long before = count();
        file.setLongVolatile(StoreFile.ENTRY_COUNT_OFFSET, map.longSize());
        snapshots.discard();
        LOG.log(System.Logger.Level.WARNING, "repaired segments " + repaired + " of " + chronicleFile
                + " after a process died holding a map lock, in " + (System.nanoTime() - started) / 1_000 + " us: "
                + problems.size() + " repairs " + problems + ", " + journaled.size()
                + " journaled writes done again; entry count " + before + " -> " + count());
    }

    /**
     * Saves the hash lookups of every segment not saved yet (after putting back those of a repair
     * cut short), before a recovery of the whole map.
     */
    private static void snapshotEverySegment(SegmentSnapshots snapshots, ChronicleMap<String, byte[]> map,
                                             CompiledMapIterationContext<String, byte[], ?> context, List<String> problems) {
        VanillaChronicleHash<?, ?, ?, ?> hash = (VanillaChronicleHash<?, ?, ?, ?>) map;
        Set<Integer> restored = snapshots.restore(hash);
        if (!restored.isEmpty()) {
            problems.add("a repair of segments " + restored + " was cut short; started over");
        }
        List<Integer> rest = new ArrayList<>();
        for (int segment = 0; segment < map.segments(); segment++) {
            if (!restored.contains(segment)) {
                rest.add(segment);
            }
        }
        snapshots.append(rest, context, hash);
    }

    /**
     * Chronicle's recovery of one segment, the steps its whole-map recovery takes for each segment,
     * following the segment's chain of tiers as stored (a death while chaining a new tier is the
     * one case this does not cover; docs/GUARANTEES.md).
     */
    private static void repairSegment(CompiledMapIterationContext<String, byte[], ?> context, int segment,
                                      ChronicleHashCorruption.Listener listener) {
        context.initSegmentIndex(segment);
        context.segmentHeader().resetLock(context.segmentHeaderAddress());
        context.initSegmentTier();
        while (true) {
            context.recoverTier(segment, listener, new ChronicleHashCorruptionImpl());
            if (!context.hasNextTier()) {
                break;
            }
            context.nextTier();
        }
        while (true) {
            context.removeDuplicatesInSegment(listener, new ChronicleHashCorruptionImpl());
            if (context.tier() == 0) {
                break;
            }
            context.prevTier();
        }
    }

    /** Does the journaled writes again: a put writes its whole value (version included), a remove removes. */
    private static void redo(ChronicleMap<String, byte[]> map, List<MapLocks.Intent> journaled) {
        for (MapLocks.Intent intent : journaled) {
            if (intent.kind() == MapLocks.PUT) {
                map.put(intent.compositeKey(), intent.value());
            } else {
                map.remove(intent.compositeKey());
            }
        }
    }

    /**
     * Chronicle takes one map-wide lock to hand out extra segment tiers, only inside a segment lock;
     * with every stripe held nobody can be inside it, so a held lock was left by the dead process.
     */
    private void resetTierAllocationLock(List<String> problems) {
        try {
            Method reset = VanillaChronicleHash.class.getDeclaredMethod("resetGlobalMutableStateLock",
                    ChronicleHashCorruption.Listener.class, ChronicleHashCorruptionImpl.class);
            reset.setAccessible(true);
            ChronicleHashCorruption.Listener listener = corruption -> problems.add(corruption.message());
            reset.invoke(map, listener, new ChronicleHashCorruptionImpl());
        } catch (ReflectiveOperationException | RuntimeException e) {
            problems.add("could not check Chronicle's tier allocation lock: " + e);
        }
    }

    /** Adds a line to problems for each malformed entry and for a wrong entry count; returns the entries found. */
    long check(List<String> problems) {
        long versionSequence = file.getLongVolatile(StoreFile.VERSION_SEQUENCE_OFFSET);
        JsonFactory json = new JsonFactory();
        long[] found = {0};
        locks.check(problems);
        forEachEntry(entry -> {
            found[0]++;
            String compositeKey = entry.key().get();
            int separator = compositeKey.indexOf(SEPARATOR);
            if (separator < 1 || separator == compositeKey.length() - 1) {
                problems.add("entry key " + printable(compositeKey) + " is not map name, NUL, key");
                return;
            }
            byte[] raw = entry.value().get();
            if (raw.length < Long.BYTES) {
                problems.add("entry " + printable(compositeKey) + " is " + raw.length + " bytes, shorter than its version");
                return;
            }
            long version = (long) VERSION.get(raw, 0);
            if (version < 1 || version > versionSequence) {
                problems.add("entry " + printable(compositeKey) + " has version " + version
                        + ", outside 1.." + versionSequence + " (the versions handed out)");
            }
            try (JsonParser parser = json.createParser(raw, Long.BYTES, raw.length - Long.BYTES)) {
                if (parser.nextToken() == null) {
                    problems.add("entry " + printable(compositeKey) + " has no JSON");
                }
                parser.skipChildren();
                if (parser.nextToken() != null) {
                    problems.add("entry " + printable(compositeKey) + " has bytes after its JSON value");
                }
            } catch (IOException e) {
                problems.add("entry " + printable(compositeKey) + " holds broken JSON: " + e.getMessage());
            }
        });
        long counted = count();
        if (counted != found[0]) {
            problems.add("the header counts " + counted + " entries but " + found[0] + " are stored");
        }
        return found[0];
    }

    long liveRecoveries() {
        return locks.liveRecoveries();
    }

    private static String printable(String compositeKey) {
        return "'" + compositeKey.replace(SEPARATOR, '/') + "'";
    }

    long count() {
        return file.getLongVolatile(StoreFile.ENTRY_COUNT_OFFSET);
    }

    File chronicleFile() {
        return chronicleFile;
    }

    private static long versionOf(Data<byte[]> value) {
        return value.bytes().readLong(value.offset());
    }

    private long nextVersion() {
        return file.getAndAddLong(StoreFile.VERSION_SEQUENCE_OFFSET, 1) + 1;
    }

    /** Counts a new entry in, or refuses it when the store holds maxEntries already. */
    private void reserveEntry() {
        long max = file.layout().maxEntries();
        while (true) {
            long count = file.getLongVolatile(StoreFile.ENTRY_COUNT_OFFSET);
            if (count >= max) {
                throw new StoreFullException("store is full: it holds " + count + " entries, its capacity is "
                        + max + " (maxEntries) in " + file.path());
            }
            if (file.compareAndSetLong(StoreFile.ENTRY_COUNT_OFFSET, count, count + 1)) {
                return;
            }
        }
    }

    private RuntimeException translate(RuntimeException e) {
        if (e instanceof IllegalStateException && String.valueOf(e.getMessage()).contains("segment tier")) {
            return new StoreFullException("store is full: " + count() + " entries of capacity " + file.layout().maxEntries()
                    + " (maxEntries), but the entries' sizes filled the file " + chronicleFile
                    + "; store smaller values or create the store with a larger expectedValueBytes", e);
        }
        return e;
    }

    @Override
    public void close() {
        map.close();
    }
}
