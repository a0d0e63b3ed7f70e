package io.hearth.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.hearth.SharedMap;
import io.hearth.SharedStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import net.openhft.chronicle.map.ChronicleMap;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.Txn;

/**
 * One store of the {@link Footprint} measurement, in a JVM of its own so that its resident memory
 * is its own: {@code write DIR N} puts the {@link Population}'s entries 0 to N - 1 into a new store
 * in DIR; {@code read DIR N} opens it, prints its memory ("opened ..."), gets every entry once, and
 * prints its memory again ("read ..."). Memory lines are {@code /proc/self/status} fields, in KiB.
 */
public final class FootprintSubject {
    static final String MAP = "profiles";
    /** What the pre-sized Hearth store expects, and what the raw Chronicle map is sized for. */
    static final long SIZED_FOR = 1_100_000;
    /** Puts per LMDB write transaction. */
    private static final int LMDB_BATCH = 10_000;

    private FootprintSubject() {
    }

    /** The stores measured, by the name {@link Footprint} passes. */
    enum Kind {
        HEARTH_GROWN("hearth.grown", "Hearth, default store (`SharedStore.open(path)`), grown while written"),
        HEARTH_PRESIZED("hearth.presized", "Hearth, `expectedEntries(1_100_000)`"),
        HEARTH_SHAPED("hearth.presized.shaped",
                "Hearth, `expectedEntries(1_100_000).expectedKeyBytes(12).expectedValueBytes(111)`: told the entries' sizes too"),
        CHRONICLE_RAW("chronicle.raw", "Chronicle Map used directly, `ChronicleMap<String, byte[]>`, `entries(1_100_000)`"),
        LMDB("lmdb", "LMDB through LmdbJava, one database, keys and JSON bytes");

        final String id;
        final String what;

        Kind(String id, String what) {
            this.id = id;
            this.what = what;
        }

        static Kind of(String id) {
            for (Kind kind : values()) {
                if (kind.id.equals(id)) {
                    return kind;
                }
            }
            throw new IllegalArgumentException("unknown store " + id);
        }
    }

    public static void main(String[] args) throws Exception {
        Kind kind = Kind.of(args[0]);
        String mode = args[1];
        Path dir = Path.of(args[2]);
        int n = Integer.parseInt(args[3]);
        Files.createDirectories(dir);
        long started = System.nanoTime();
        switch (mode) {
            case "write" -> write(kind, dir, n);
            case "read" -> read(kind, dir, n);
            default -> throw new IllegalArgumentException("unknown mode " + mode);
        }
        System.out.printf("done %.1f%n", (System.nanoTime() - started) / 1e9);
    }

    private static void write(Kind kind, Path dir, int n) {
        ObjectMapper mapper = new ObjectMapper();
        switch (kind) {
            case HEARTH_GROWN, HEARTH_PRESIZED, HEARTH_SHAPED -> {
                try (SharedStore store = openHearth(kind, dir)) {
                    Population.write(store.map(MAP, Profile.class), n);
                }
            }
            case CHRONICLE_RAW -> {
                try (ChronicleMap<String, byte[]> map = openRaw(dir, mapper)) {
                    for (int i = 0; i < n; i++) {
                        map.put(Population.key(i), Population.json(mapper, i));
                    }
                }
            }
            case LMDB -> {
                try (Env<ByteBuffer> env = openLmdb(dir)) {
                    Dbi<ByteBuffer> db = env.openDbi(MAP, DbiFlags.MDB_CREATE);
                    ByteBuffer key = ByteBuffer.allocateDirect(env.getMaxKeySize());
                    ByteBuffer value = ByteBuffer.allocateDirect(1024);
                    for (int from = 0; from < n; from += LMDB_BATCH) {
                        try (Txn<ByteBuffer> txn = env.txnWrite()) {
                            for (int i = from; i < Math.min(n, from + LMDB_BATCH); i++) {
                                key.clear();
                                key.put(Population.key(i).getBytes(StandardCharsets.UTF_8)).flip();
                                value.clear();
                                value.put(Population.json(mapper, i)).flip();
                                db.put(txn, key, value);
                            }
                            txn.commit();
                        }
                    }
                }
            }
            default -> throw new IllegalStateException(kind.toString());
        }
    }

    private static void read(Kind kind, Path dir, int n) throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        long found = 0;
        switch (kind) {
            case HEARTH_GROWN, HEARTH_PRESIZED, HEARTH_SHAPED -> {
                try (SharedStore store = openHearth(kind, dir)) {
                    SharedMap<Profile> map = store.map(MAP, Profile.class);
                    memory("opened");
                    for (int i = 0; i < n; i++) {
                        found += map.get(Population.key(i)) == null ? 0 : 1;
                    }
                    memory("read");
                }
            }
            case CHRONICLE_RAW -> {
                try (ChronicleMap<String, byte[]> map = openRaw(dir, mapper)) {
                    memory("opened");
                    for (int i = 0; i < n; i++) {
                        found += map.get(Population.key(i)) == null ? 0 : 1;
                    }
                    memory("read");
                }
            }
            case LMDB -> {
                try (Env<ByteBuffer> env = openLmdb(dir)) {
                    Dbi<ByteBuffer> db = env.openDbi(MAP);
                    ByteBuffer key = ByteBuffer.allocateDirect(env.getMaxKeySize());
                    memory("opened");
                    try (Txn<ByteBuffer> txn = env.txnRead()) {
                        for (int i = 0; i < n; i++) {
                            key.clear();
                            key.put(Population.key(i).getBytes(StandardCharsets.UTF_8)).flip();
                            ByteBuffer value = db.get(txn, key);
                            if (value != null) {
                                byte[] bytes = new byte[value.remaining()]; // what a get hands a caller, as Chronicle's does
                                value.get(bytes);
                                found++;
                            }
                        }
                    }
                    memory("read");
                }
            }
            default -> throw new IllegalStateException(kind.toString());
        }
        if (found != n) {
            throw new IllegalStateException(kind.id + " in " + dir + " holds " + found + " of the " + n + " entries written");
        }
    }

    private static SharedStore openHearth(Kind kind, Path dir) {
        Path path = dir.resolve("store.store");
        return switch (kind) {
            case HEARTH_GROWN -> SharedStore.open(path);
            case HEARTH_PRESIZED -> SharedStore.builder(path).expectedEntries(SIZED_FOR).open();
            case HEARTH_SHAPED -> SharedStore.builder(path).expectedEntries(SIZED_FOR)
                    .expectedKeyBytes(Population.key(0).length()).expectedValueBytes(Population.json(new ObjectMapper(), 0).length).open();
            default -> throw new IllegalArgumentException(kind + " is not a Hearth store");
        };
    }

    private static ChronicleMap<String, byte[]> openRaw(Path dir, ObjectMapper mapper) {
        return RawChronicle.open(dir.resolve("raw.chronicle").toFile(), SIZED_FOR, Population.key(0), Population.json(mapper, 0).length);
    }

    private static Env<ByteBuffer> openLmdb(Path dir) {
        return Env.create().setMapSize(4L << 30).setMaxDbs(1).open(dir.toFile());
    }

    /** Prints "label VmRSS RssAnon RssFile RssShmem", each in KiB, from /proc/self/status. */
    private static void memory(String label) throws IOException {
        Map<String, String> status = new LinkedHashMap<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                status.put(line.substring(0, colon), line.substring(colon + 1).trim().replace(" kB", ""));
            }
        }
        System.out.println(label + " " + status.get("VmRSS") + " " + status.get("RssAnon") + " " + status.get("RssFile")
                + " " + status.get("RssShmem"));
        System.out.flush();
    }
}
