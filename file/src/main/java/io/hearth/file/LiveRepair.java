package io.hearth.file;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import net.openhft.chronicle.core.OS;
import net.openhft.chronicle.hash.ChronicleHashCorruption;
import net.openhft.chronicle.hash.impl.VanillaChronicleHash;
import net.openhft.chronicle.map.ChronicleHashCorruptionImpl;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.VanillaChronicleMap;
import net.openhft.chronicle.map.impl.CompiledMapIterationContext;
import net.openhft.chronicle.map.impl.IterationContext;

/**
 * Repairs the entries file after a process died holding a map lock stripe, while other processes
 * stay attached. {@link MapLockTable} runs it holding every stripe, so no other process is inside
 * Chronicle.
 *
 * <p>Each segment of a dead stripe whose Chronicle lock word is set (the dead process was inside
 * it) gets Chronicle's own repair for one segment: lock reset, every tier's hash lookup rebuilt
 * from the entries whose checksums hold (the rest dropped), duplicates removed, counters fixed.
 * Should that fail, the whole map gets Chronicle's repair. Before either, the lookups it will
 * rebuild are saved ({@link SegmentSnapshots}), so a repair cut short by another death starts over
 * from the same state. Then every journaled write is done again ({@link RedoJournal}), so a write
 * cut short is complete (a put) or done (a remove), never torn, and the entries are recounted.
 */
final class LiveRepair implements MapLockTable.Repair {
    private static final System.Logger LOG = System.getLogger(LiveRepair.class.getName());

    private final EntryShards shards;
    private final ShardSplit split;
    private final StoreHeader header;
    private final SegmentSnapshots snapshots;
    private final RedoJournal journal;
    private final int stripes;
    private final ChangeRing changes;

    LiveRepair(EntryShards shards, ShardSplit split, StoreFile store, SegmentSnapshots snapshots, RedoJournal journal,
               ChangeRing changes) {
        this.changes = changes;
        this.shards = shards;
        this.split = split;
        this.header = store.header();
        this.snapshots = snapshots;
        this.journal = journal;
        this.stripes = store.layout().lockStripes();
    }

    @Override
    public void repair(BitSet deadStripes) {
        // Holding every stripe, before anything changes: what a repair drops or does again is a
        // change no read cache may trust its old answer across (StoreHeader.versionSequence).
        long version = header.nextVersion();
        if (changes != null) {
            changes.recordNone(version);
        }
        List<RedoJournal.Intent> journaled = journal.intents();
        Set<SegmentSnapshots.ShardSegment> halfDone = new LinkedHashSet<>();
        for (EntryShards.Shard shard : shards.all()) {
            VanillaChronicleHash<?, ?, ?, ?> hash = (VanillaChronicleHash<?, ?, ?, ?>) shard.map();
            for (int segment = 0; segment < shard.map().segments(); segment++) {
                if (deadStripes.get(MapLockTable.stripeOf(shard.index(), segment, stripes))
                        && OS.memory().readVolatileLong(hash.segmentHeaderAddress(segment)) != 0) {
                    halfDone.add(new SegmentSnapshots.ShardSegment(shard.index(), segment));
                }
            }
        }
        if (halfDone.isEmpty() && journaled.isEmpty() && !snapshots.pending()) {
            // A death between counting an entry in and journaling it leaves only the count off.
            split.resumeIfCutShort();
            long before = header.entryCount();
            header.setEntryCount(shards.countEntries());
            LOG.log(System.Logger.Level.WARNING, "a process died holding a map lock of " + shards.storePath()
                    + " outside Chronicle's segment locks: nothing was half done; entry count " + before + " -> "
                    + header.entryCount());
            return;
        }
        List<String> problems = new ArrayList<>();
        ChronicleHashCorruption.Listener listener = corruption -> problems.add(corruption.message());
        long started = System.nanoTime();
        Set<SegmentSnapshots.ShardSegment> restored = snapshots.restore(shards);
        if (!restored.isEmpty()) {
            problems.add("a repair of segments " + restored + " was cut short; started over");
        }
        Set<SegmentSnapshots.ShardSegment> repaired = new LinkedHashSet<>(restored);
        repaired.addAll(halfDone);
        for (EntryShards.Shard shard : shards.all()) {
            List<Integer> mine = new ArrayList<>();
            List<Integer> fresh = new ArrayList<>();
            for (SegmentSnapshots.ShardSegment segment : repaired) {
                if (segment.shard() == shard.index()) {
                    mine.add(segment.segment());
                    if (!restored.contains(segment)) {
                        fresh.add(segment.segment());
                    }
                }
            }
            if (mine.isEmpty()) {
                continue;
            }
            resetTierAllocationLock(shard, problems);
            try (IterationContext<String, byte[], ?> recovery = ((VanillaChronicleMap<String, byte[], ?>) shard.map()).iterationContext()) {
                CompiledMapIterationContext<String, byte[], ?> context = (CompiledMapIterationContext<String, byte[], ?>) recovery;
                if (!fresh.isEmpty()) {
                    snapshots.append(shard.index(), fresh, context, (VanillaChronicleHash<?, ?, ?, ?>) shard.map());
                }
                try {
                    for (int segment : mine) {
                        repairSegment(context, segment, listener);
                    }
                } catch (RuntimeException e) {
                    problems.add("repairing segments " + mine + " of shard " + shard.index() + " failed (" + e
                            + "); repaired the whole shard");
                    snapshots.saveEverySegment(shards, problems);
                    recovery.recoverSegments(listener, new ChronicleHashCorruptionImpl());
                }
            }
        }
        journal.replay(journaled, shards);
        split.resumeIfCutShort();
        long before = header.entryCount();
        header.setEntryCount(shards.countEntries());
        snapshots.discard();
        journal.clearAll();
        LOG.log(System.Logger.Level.WARNING, "repaired segments " + repaired + " (shard, segment) of " + shards.storePath()
                + " after a process died holding a map lock, in " + (System.nanoTime() - started) / 1_000 + " us: "
                + problems.size() + " repairs " + problems + ", " + journaled.size()
                + " journaled writes done again; entry count " + before + " -> " + header.entryCount());
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

    /**
     * Chronicle takes one map-wide lock to hand out extra segment tiers, only inside a segment lock;
     * with every stripe held nobody can be inside it, so a held lock was left by the dead process.
     */
    private static void resetTierAllocationLock(EntryShards.Shard shard, List<String> problems) {
        try {
            Method reset = VanillaChronicleHash.class.getDeclaredMethod("resetGlobalMutableStateLock",
                    ChronicleHashCorruption.Listener.class, ChronicleHashCorruptionImpl.class);
            reset.setAccessible(true);
            ChronicleHashCorruption.Listener listener = corruption -> problems.add(corruption.message());
            reset.invoke(shard.map(), listener, new ChronicleHashCorruptionImpl());
        } catch (ReflectiveOperationException | RuntimeException e) {
            problems.add("could not check Chronicle's tier allocation lock: " + e);
        }
    }
}
