package io.hearth.file;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.VanillaChronicleMap;
import net.openhft.chronicle.map.impl.CompiledMapIterationContext;
import net.openhft.chronicle.map.impl.IterationContext;

/**
 * Repairs the entries file when a store is opened after processes died while attached and none
 * is alive now. The opener holds the store's open lock and every attached process registers under
 * it, so nobody else has the entries file open: the one moment Chronicle's whole-file recovery
 * may run.
 *
 * <p>When no dead process held a map lock or the recovery word, nothing is journaled, no repair
 * snapshot is published and Chronicle's header is complete, the dead died outside every lock and
 * nothing is half done: the map opens as it is. Otherwise: Chronicle's "not complete" mark left
 * by a recovery cut short is cleared, every segment's lookups are saved (a repair cut short is put
 * back first), Chronicle recovers the whole file, journaled writes are done again, the entries are
 * recounted, and only then are the marks that make the next open repair cleared.
 */
final class OpenRecovery {
    private static final System.Logger LOG = System.getLogger(OpenRecovery.class.getName());

    private OpenRecovery() {
    }

    /** The repaired map, open. */
    static ChronicleMap<String, byte[]> recoverAndOpen(EntriesFile entriesFile, StoreFile store, MapLockTable locks,
                                                       RedoJournal journal, SegmentSnapshots snapshots) throws IOException {
        StoreHeader header = store.header();
        if (!locks.anyHeld() && journal.intents().isEmpty() && !snapshots.pending() && entriesFile.headerComplete()) {
            header.clearCrashSeen();
            LOG.log(System.Logger.Level.INFO, "processes died while attached to " + entriesFile.path()
                    + ", none inside a map lock: nothing to repair");
            return entriesFile.open();
        }
        List<String> problems = new ArrayList<>();
        if (entriesFile.clearNotComplete()) {
            problems.add("Chronicle's header was left marked not complete (a recovery cut short)");
        }
        try (ChronicleMap<String, byte[]> beforeRecovery = entriesFile.open();
             IterationContext<String, byte[], ?> iteration = ((VanillaChronicleMap<String, byte[], ?>) beforeRecovery).iterationContext()) {
            snapshots.saveEverySegment(beforeRecovery, (CompiledMapIterationContext<String, byte[], ?>) iteration, problems);
        }
        ChronicleMap<String, byte[]> map = entriesFile.recover(corruption -> problems.add(corruption.message()));
        List<RedoJournal.Intent> journaled = journal.intents();
        RedoJournal.replay(journaled, map);
        // Recounted before the marks that make the next open repair are cleared.
        long before = header.entryCount();
        header.setEntryCount(EntriesFile.countEntries(map));
        snapshots.discard();
        journal.clearAll();
        locks.releaseAll();
        header.clearCrashSeen();
        LOG.log(System.Logger.Level.WARNING, "recovered " + entriesFile.path() + " after processes died while attached: "
                + problems.size() + " repairs " + problems + ", " + journaled.size() + " journaled writes done again;"
                + " entry count " + before + " -> " + header.entryCount());
        return map;
    }
}
