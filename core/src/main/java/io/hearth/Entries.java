package io.hearth;

import java.io.File;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import io.hearth.spi.StoreBackend;
import io.hearth.spi.StoredEntry;
import net.openhft.chronicle.hash.Data;
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
 * <p>Every write runs inside Chronicle's per-segment lock, and the lock covers only byte copies,
 * one atomic add for the version, and the entry-count check: no JSON, no user code. Versions come
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

    private Entries(ChronicleMap<String, byte[]> map, StoreFile file, File chronicleFile) {
        this.map = map;
        this.file = file;
        this.chronicleFile = chronicleFile;
    }

    /**
     * Opens or creates the Chronicle file; the caller holds the store's creation lock.
     *
     * @param recover repair the file first (Chronicle's recovery: resets segment locks left by dead
     *                processes, rebuilds segment tables) and recount the entries; only when no other
     *                live process has the store open
     */
    static Entries open(File chronicleFile, StoreFile file, int expectedKeyBytes, int expectedValueBytes, boolean recover)
            throws IOException {
        StoreFile.Layout layout = file.layout();
        int maxEntryBytes = layout.maxKeyBytes() + SharedStore.MAX_MAP_NAME_BYTES + 1 + Long.BYTES + layout.maxValueBytes();
        int maxChunksPerEntry = maxEntryBytes / CHUNK_BYTES + 2;
        // Chronicle caps one entry at the chunks of one segment tier; four entries' worth of
        // largest entries per the whole map was measured to fit the largest value in every shape.
        long chronicleEntries = Math.max(layout.maxEntries(), 4L * maxChunksPerEntry);
        ChronicleMapBuilder<String, byte[]> builder = ChronicleMapBuilder.of(String.class, byte[].class)
                .name("hearth-entries")
                .entries(chronicleEntries)
                .averageKeySize(Math.min(expectedKeyBytes + 16, layout.maxKeyBytes() + SharedStore.MAX_MAP_NAME_BYTES + 1))
                .averageValueSize(Math.min(expectedValueBytes, layout.maxValueBytes()) + Long.BYTES)
                .actualChunkSize(CHUNK_BYTES)
                .maxChunksPerEntry(maxChunksPerEntry)
                .maxBloatFactor(4)
                // SharedStore.close() owns closing; Chronicle's own exit hook would close the map
                // under requests still in flight while an application shuts down.
                .skipCloseOnExitHook(true);
        if (!recover) {
            return new Entries(builder.createPersistedTo(chronicleFile), file, chronicleFile);
        }
        List<String> problems = new ArrayList<>();
        ChronicleMap<String, byte[]> map = builder.recoverPersistedTo(chronicleFile, true,
                corruption -> problems.add(corruption.message()));
        long before = file.getLongVolatile(StoreFile.ENTRY_COUNT_OFFSET);
        file.setLongVolatile(StoreFile.ENTRY_COUNT_OFFSET, map.longSize());
        file.setIntVolatile(StoreFile.CRASH_SEEN_OFFSET, 0);
        LOG.log(System.Logger.Level.WARNING, "recovered " + chronicleFile + " after processes died while attached: "
                + problems.size() + " repairs " + problems + "; entry count " + before + " -> " + map.longSize());
        return new Entries(map, file, chronicleFile);
    }

    static String compositeKey(String mapName, String key) {
        return mapName + SEPARATOR + key;
    }

    static String mapPrefix(String mapName) {
        return mapName + SEPARATOR;
    }

    /** The stored entry, or null. */
    StoredEntry get(String compositeKey) {
        byte[] raw = map.get(compositeKey);
        return raw == null ? null : new StoredEntry((long) VERSION.get(raw, 0), Arrays.copyOfRange(raw, Long.BYTES, raw.length));
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
        try (ExternalMapQueryContext<String, byte[], ?> context = map.queryContext(compositeKey)) {
            context.updateLock().lock();
            MapEntry<String, byte[]> entry = context.entry();
            long current = entry == null ? ABSENT : versionOf(entry.value());
            if (expected != ANY && current != expected) {
                return CONFLICT;
            }
            if (entry == null) {
                reserveEntry();
                long version = nextVersion();
                VERSION.set(value, 0, version);
                try {
                    context.insert(context.absentEntry(), context.wrapValueAsData(value));
                } catch (RuntimeException e) {
                    file.getAndAddLong(StoreFile.ENTRY_COUNT_OFFSET, -1);
                    throw translate(e);
                }
                return version;
            }
            long version = nextVersion();
            VERSION.set(value, 0, version);
            try {
                context.replaceValue(entry, context.wrapValueAsData(value));
            } catch (RuntimeException e) {
                throw translate(e);
            }
            return version;
        }
    }

    /**
     * Removes the key if its current version is {@code expected} ({@link #ANY}: any version).
     *
     * @return what was removed, or null when absent or the version differed
     */
    StoredEntry remove(String compositeKey, long expected) {
        try (ExternalMapQueryContext<String, byte[], ?> context = map.queryContext(compositeKey)) {
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
            context.remove(entry);
            file.getAndAddLong(StoreFile.ENTRY_COUNT_OFFSET, -1);
            return new StoredEntry(current, Arrays.copyOfRange(raw, Long.BYTES, raw.length));
        }
    }

    /** Calls action with each key of the map, without the map prefix; a weakly consistent walk. */
    void forEachKey(String mapName, Consumer<String> action) {
        String prefix = mapPrefix(mapName);
        List<String> keys = new ArrayList<>();
        map.forEachEntry(entry -> {
            String compositeKey = entry.key().get();
            if (compositeKey.startsWith(prefix)) {
                keys.add(compositeKey.substring(prefix.length()));
            }
        });
        keys.forEach(action);
    }

    /** Adds a line to problems for each malformed entry and for a wrong entry count; returns the entries found. */
    long check(List<String> problems) {
        long versionSequence = file.getLongVolatile(StoreFile.VERSION_SEQUENCE_OFFSET);
        JsonFactory json = new JsonFactory();
        long[] found = {0};
        map.forEachEntry(entry -> {
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
