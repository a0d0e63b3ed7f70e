package io.hearth.file;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Repairs the entries file when a store is opened after processes died while attached and none
 * is alive now. The opener holds the store's open lock and every attached process registers under
 * it, so nobody else has the entries file open: the one moment Chronicle's whole-file recovery
 * may run.
 *
 * <p>When no dead process held a map lock or the recovery word, nothing is journaled, no repair
 * snapshot is published, no split is under way and every shard's Chronicle header is complete, the
 * dead died outside every lock and nothing is half done: the entries are only recounted. Otherwise: Chronicle's "not complete" mark left
 * by a recovery cut short is cleared, every segment's lookups are saved (a repair cut short is put
 * back first), Chronicle recovers every shard's whole file, journaled writes are done again, a split cut
 * short is finished or rolled back ({@link ShardSplit}), the entries are recounted, and only then are the marks that make the next open repair cleared.
 */
final class OpenRecovery {
    private static final System.Logger LOG = System.getLogger(OpenRecovery.class.getName());

    private OpenRecovery() {
    }

    /** Repairs the shards when anything was half done; afterwards they open as usual. */
    static void recover(StoreFile store, EntryShards shards, MapLockTable locks, RedoJournal journal,
                        SegmentSnapshots snapshots, ShardSplit split) throws IOException {
        StoreHeader header = store.header();
        int count = ShardRouting.shards(header.routing());
        boolean complete = true;
        for (int shard = 0; shard < count; shard++) {
            complete &= shards.fileOf(shard).headerComplete();
        }
        if (!locks.anyHeld() && journal.intents().isEmpty() && !snapshots.pending() && complete && header.split() == 0) {
            header.setEntryCount(shards.countEntries());
            header.clearCrashSeen();
            LOG.log(System.Logger.Level.INFO, "processes died while attached to " + store.path()
                    + ", none inside a map lock: nothing to repair; entries recounted");
            return;
        }
        List<String> problems = new ArrayList<>();
        for (int shard = 0; shard < count; shard++) {
            if (shards.fileOf(shard).clearNotComplete()) {
                problems.add("shard " + shard + ": Chronicle's header was left marked not complete (a recovery cut short)");
            }
        }
        // Chronicle's whole-file recovery empties lookup slots before refilling them, like the live
        // repair: every segment's lookups are saved first (a repair cut short is put back first).
        snapshots.saveEverySegment(shards, problems);
        shards.close();
        for (int shard = 0; shard < count; shard++) {
            shards.fileOf(shard).recover(corruption -> problems.add(corruption.message())).close();
        }
        List<RedoJournal.Intent> journaled = journal.intents();
        journal.replay(journaled, shards);
        split.resumeIfCutShort();
        // Recounted before the marks that make the next open repair are cleared.
        long before = header.entryCount();
        header.setEntryCount(shards.countEntries());
        snapshots.discard();
        journal.clearAll();
        locks.releaseAll();
        header.clearCrashSeen();
        LOG.log(System.Logger.Level.WARNING, "recovered " + store.path() + " after processes died while attached: "
                + problems.size() + " repairs " + problems + ", " + journaled.size() + " journaled writes done again;"
                + " entry count " + before + " -> " + header.entryCount());
    }
}
