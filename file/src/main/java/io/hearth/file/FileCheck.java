package io.hearth.file;

import io.hearth.IncompatibleStoreException;
import io.hearth.StoreCheck;
import io.hearth.spi.Processes;
import io.hearth.spi.StoreOptions;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import net.openhft.chronicle.map.ChronicleMap;

/**
 * {@link StoreCheck} for a file store: the counter table, the broadcast ring, the map locks and
 * the entries file ({@link EntryCheck}: Chronicle's map state, every segment's counters, hash
 * lookups and free list, every entry's checksum, and what Hearth stored in it), read as they are.
 * It does not attach to the store and repairs nothing, so it may run beside live processes and
 * reports what a crash or damage left behind; what it finds wrong is a line of the report, never
 * an exception.
 */
final class FileCheck {
    private FileCheck() {
    }

    static StoreCheck.Report run(Path path) {
        List<String> problems = new ArrayList<>();
        if (!Files.exists(path)) {
            problems.add("store file " + path + " does not exist");
            return new StoreCheck.Report(path.toString(), problems, 0, 0, 0);
        }
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            StoreFile store = StoreFile.mapExisting(path, channel);
            long pid = Processes.currentPid();
            int counterNames;
            try (CounterTables counters = new CounterTables(store, pid)) {
                counterNames = counters.check(problems);
            }
            new BroadcastRing(store, new WorkerTable(store)).check(problems);
            new LockRecords(store, pid).check(problems);
            long entries = checkEntries(store, pid, problems);
            return new StoreCheck.Report(path.toString(), problems, entries, counterNames, store.header().liveRecoveries());
        } catch (IncompatibleStoreException e) {
            problems.add(e.getMessage());
        } catch (IOException e) {
            problems.add("cannot read " + path + ": " + e);
        }
        return new StoreCheck.Report(path.toString(), problems, 0, 0, 0);
    }

    private static long checkEntries(StoreFile store, long pid, List<String> problems) throws IOException {
        MapLockTable locks = MapLockTable.withoutRepair(store, pid);
        locks.check(problems);
        long routing = store.header().routing();
        long entries = 0;
        boolean everyShard = true;
        for (int shard = 0; shard < ShardRouting.shards(routing); shard++) {
            EntryCheck.Found found = checkShard(store, shard, routing, locks, problems);
            entries += found.entries();
            everyShard &= found.everySegment();
        }
        if (store.header().split() != 0) {
            problems.add("a split of the entries into more shards is under way or was cut short (split word "
                    + Long.toHexString(store.header().split()) + "); the next map call that takes every lock finishes it");
        }
        long counted = store.header().entryCount();
        if (everyShard && counted != entries) {
            problems.add("the header counts " + counted + " entries but " + entries + " are stored whole");
        }
        return entries;
    }

    private static EntryCheck.Found checkShard(StoreFile store, int shard, long routing, MapLockTable locks,
                                               List<String> problems) throws IOException {
        EntryCheck.Found none = new EntryCheck.Found(0, false);
        if (EntriesFile.isNew(store.path(), shard)) {
            problems.add("the entries file " + EntriesFile.pathOf(store.path(), shard) + " is missing or empty");
            return none;
        }
        EntriesFile entriesFile = new EntriesFile(store.path(), shard, store.layout(), StoreOptions.DEFAULTS.expectedKeyBytes(),
                StoreOptions.DEFAULTS.expectedValueBytes());
        if (!entriesFile.headerComplete()) {
            problems.add("Chronicle's header of " + entriesFile.path() + " is marked not complete (a recovery was cut"
                    + " short); the next open with no other process attached repairs it; entries were not checked");
            return none;
        }
        long fileLength = Files.size(entriesFile.path());
        if (!MapStateCheck.checkBeforeOpening(entriesFile.path(), problems)) {
            return none;
        }
        ChronicleMap<String, byte[]> map;
        try {
            map = entriesFile.open();
        } catch (IOException | RuntimeException e) {
            // Chronicle verifies its header's checksum on opening and refuses a damaged one.
            problems.add("cannot open the entries file " + entriesFile.path() + ": " + e + "; entries were not checked");
            return none;
        }
        try (map) {
            return new EntryCheck(map, shard, routing, store, locks, fileLength).check(problems);
        } catch (RuntimeException e) {
            problems.add("cannot read the entries of " + entriesFile.path() + ": " + e);
            return none;
        }
    }
}
