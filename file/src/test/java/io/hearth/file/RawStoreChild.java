package io.hearth.file;

import io.hearth.SharedStore;
import io.hearth.spi.Processes;
import io.hearth.testkit.Stores;
import io.hearth.testkit.Tally;
import java.nio.file.Path;
import java.util.List;

/**
 * The file store's side of the crash tests that drive its map locks by hand: a separate JVM that
 * attaches to the store, leaves what a process killed at one exact point leaves, prints
 * {@code LOCKED <workers>} and waits to be killed.
 */
public final class RawStoreChild {
    private RawStoreChild() {
    }

    public static void main(String[] args) throws Exception {
        String path = args[1];
        switch (args[0]) {
            case "hold-lock" -> holdLock(path, args[2], args[3], 0);
            case "tear-write" -> holdLock(path, args[2], args[3], Long.parseLong(args[4]));
            case "cut-repair" -> cutRepair(path, args[2], args[3]);
            default -> throw new IllegalArgumentException("unknown scenario " + args[0]);
        }
    }

    /**
     * Attaches to the file store, then does what Hearth does when it writes map/key, and stops
     * half way until killed: takes the key's stripe lock, then (tear) journals a write of
     * {@code Tally(torn)} and copies half of its bytes over the stored value, then takes
     * Chronicle's write lock of the segment. What a process killed inside a map write leaves.
     */
    private static void holdLock(String path, String map, String key, long torn) throws Exception {
        Raw opened = Raw.open(path);
        SharedStore store = opened.store();
        StoreFile file = opened.file();
        MapLockTable locks = opened.locks();
        net.openhft.chronicle.map.ChronicleMap<String, byte[]> raw = opened.map();
        String compositeKey = CompositeKeys.of(map, key);
        var context = raw.queryContext(compositeKey);
        int stripe = locks.stripeOf(0, context.segmentIndex());
        if (!locks.lock(stripe)) {
            throw new IllegalStateException("stripe " + stripe + " held by a dead process");
        }
        context.writeLock().lock();
        if (torn > 0) {
            byte[] json = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsBytes(new Tally(torn));
            byte[] value = EntryValue.of(json);
            EntryValue.setVersion(value, file.header().nextVersion());
            new RedoJournal(file).recordPut(stripe, compositeKey, value);
            var stored = context.entry().value();
            long address = stored.bytes().addressForRead(stored.offset());
            for (int i = 0; i < Math.min(value.length, (int) stored.size()) / 2; i++) {
                net.openhft.chronicle.core.OS.memory().writeByte(address + i, value[i]);
            }
        }
        System.out.println("LOCKED " + store.workers().size());
        Thread.sleep(Long.MAX_VALUE);
    }

    /**
     * Leaves what a recoverer killed in the middle of Chronicle's repair of a tier leaves: it holds
     * the stripe of map/key's segment, has published its snapshot of the segment's hash lookup,
     * and has emptied the lookup's slots without putting any entry back yet. Then waits to be killed.
     */
    private static void cutRepair(String path, String map, String key) throws Exception {
        Raw opened = Raw.open(path);
        SharedStore store = opened.store();
        StoreFile file = opened.file();
        MapLockTable locks = opened.locks();
        net.openhft.chronicle.map.ChronicleMap<String, byte[]> raw = opened.map();
        var hash = (net.openhft.chronicle.hash.impl.VanillaChronicleHash<?, ?, ?, ?>) raw;
        int segment;
        try (var context = raw.queryContext(CompositeKeys.of(map, key))) {
            segment = context.segmentIndex();
        }
        if (!locks.lock(locks.stripeOf(0, segment))) {
            throw new IllegalStateException("stripe of segment " + segment + " held by a dead process");
        }
        try (var iteration = ((net.openhft.chronicle.map.VanillaChronicleMap<String, byte[], ?>) raw).iterationContext()) {
            new SegmentSnapshots(file).append(0, List.of(segment),
                    (net.openhft.chronicle.map.impl.CompiledMapIterationContext<String, byte[], ?>) iteration, hash);
        }
        long lookup = hash.segmentBaseAddr(segment);
        for (long i = 0; i < hash.tierHashLookupOuterSize; i += Long.BYTES) {
            net.openhft.chronicle.core.OS.memory().writeLong(lookup + i, 0L);
        }
        System.out.println("LOCKED " + store.workers().size());
        Thread.sleep(Long.MAX_VALUE);
    }

    /** An attached store plus what the scenarios above drive by hand: its mapped file, its map locks, Chronicle itself. */
    private record Raw(SharedStore store, StoreFile file, MapLockTable locks, net.openhft.chronicle.map.ChronicleMap<String, byte[]> map) {
        static Raw open(String path) throws Exception {
            SharedStore store = Stores.open(path);
            java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(Path.of(path),
                    java.nio.file.StandardOpenOption.READ, java.nio.file.StandardOpenOption.WRITE);
            StoreFile file = StoreFile.mapExisting(Path.of(path), channel);
            return new Raw(store, file, MapLockTable.withoutRepair(file, Processes.currentPid()),
                    net.openhft.chronicle.map.ChronicleMapBuilder.of(String.class, byte[].class).skipCloseOnExitHook(true)
                            .createPersistedTo(new java.io.File(path + ".entries")));
        }
    }
}
