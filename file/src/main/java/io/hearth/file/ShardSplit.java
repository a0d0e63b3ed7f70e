package io.hearth.file;

import io.hearth.HearthException;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import net.openhft.chronicle.map.MapSegmentContext;

/**
 * Growing the entries by one shard: the shard the routing word's split pointer names is split in
 * two ({@link ShardRouting}), while every other process waits for the stripes this holds (every
 * one: it runs inside {@link MapLockTable#runWithEveryStripe}). Each split moves about half of one
 * shard, so how long it holds others up depends on the shard's size, not the store's.
 *
 * <pre>
 *   split word (store header {@link StoreHeader#SPLIT_OFFSET}):  0, or source << 33 | target << 1 | phase
 *   phase 0 copying:  the target's file is being made and filled from the source; the routing word
 *                     does not name the target yet, so no reader looks there
 *   phase 1 pruning:  the routing word names the target; what moved is being removed from the source,
 *                     where no reader looks for it any more
 * </pre>
 *
 * A maintainer that dies leaves the split word set. Whoever repairs after it (the next process to
 * take every stripe, or the next open with nobody live) calls {@link #resumeIfCutShort()}: a copy
 * cut short is rolled back (the target's file deleted; nothing else changed), a prune cut short is
 * finished. Both are safe to repeat.
 */
final class ShardSplit {
    private static final System.Logger LOG = System.getLogger(ShardSplit.class.getName());
    /** A store grows once its entries fill this much of its shards' sizes. */
    static final double GROW_AT = 0.75;
    private static final long PRUNING = 1;

    private final EntryShards shards;
    private final StoreFile store;
    private final StoreHeader header;

    ShardSplit(EntryShards shards, StoreFile store) {
        this.shards = shards;
        this.store = store;
        this.header = store.header();
    }

    /** Whether the entries fill enough of the shards that the store should grow. */
    boolean due() {
        long capacity = (long) (store.layout().shardEntries() * GROW_AT) * ShardRouting.shards(header.routing());
        return header.entryCount() >= Math.max(1, capacity);
    }

    /** Splits the next shard when the store is due to grow; the caller holds every stripe. Another process may have grown it meanwhile. */
    void splitNext() {
        resumeIfCutShort();
        if (due()) {
            split();
        }
    }

    /** Splits the next shard now, due or not (a shard ran out of room first); the caller holds every stripe. */
    void splitNow() {
        resumeIfCutShort();
        split();
    }

    private void split() {
        long started = System.nanoTime();
        long routing = header.routing();
        int source = (int) ShardRouting.splitPointer(routing);
        int target = ShardRouting.shards(routing);
        long after = ShardRouting.afterSplit(routing);
        header.setSplit(splitWord(source, target, 0));
        CreationSteps.reached("split-started");
        EntriesFile targetFile = shards.fileOf(target);
        try {
            Files.deleteIfExists(targetFile.path()); // a split rolled back by a process that could not delete it
            targetFile.create(header.storeId());
        } catch (IOException | RuntimeException e) {
            header.setSplit(0);
            if (e instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new HearthException("cannot create shard " + target + " of the entries, " + targetFile.path() + ": "
                    + e.getMessage(), e);
        }
        long moved;
        try {
            moved = copy(source, target, after);
        } catch (RuntimeException e) {
            resumeIfCutShort(); // rolls the copy back: the routing never named the target
            if (DiskSpace.isOutOfSpace(e)) {
                throw new io.hearth.StoreFullException("no room on the file system to grow the entries of " + store.path()
                        + " by shard " + target + DiskSpace.usable(targetFile.path()) + "; the store keeps its "
                        + ShardRouting.shards(routing) + " shards", e);
            }
            throw e;
        }
        CreationSteps.reached("split-copied");
        header.publishRouting(after);
        header.setSplit(splitWord(source, target, PRUNING));
        CreationSteps.reached("split-routed");
        prune(source, after);
        header.setSplit(0);
        header.countSplit();
        LOG.log(System.Logger.Level.INFO, "grew the entries of " + store.path() + " to " + ShardRouting.shards(after)
                + " shards: split shard " + source + ", moving " + moved + " entries to shard " + target + ", in "
                + (System.nanoTime() - started) / 1_000_000 + " ms");
    }

    /** Copies into the target every entry of the source that the routing after the split sends there; returns how many. */
    private long copy(int source, int target, long after) {
        EntryShards.Shard from = shards.shard(source);
        EntryShards.Shard to = shards.shard(target);
        long moved = 0;
        for (int segment = 0; segment < from.map().segments(); segment++) {
            List<String> keys = new ArrayList<>();
            List<byte[]> values = new ArrayList<>();
            try (MapSegmentContext<String, byte[], ?> context = from.map().segmentContext(segment)) {
                context.forEachSegmentEntry(entry -> {
                    String key = entry.key().get();
                    if (!key.equals(EntriesFile.ID_KEY) && ShardRouting.shardOf(ShardRouting.hash(key), after) == target) {
                        keys.add(key);
                        values.add(entry.value().get().clone()); // Chronicle reuses the array for the next entry
                    }
                });
            }
            for (int i = 0; i < keys.size(); i++) {
                to.map().put(keys.get(i), values.get(i));
            }
            moved += keys.size();
        }
        return moved;
    }

    /** Finishes or rolls back a split a dead maintainer left; the caller holds every stripe, or nobody else is attached. */
    void resumeIfCutShort() {
        long split = header.split();
        if (split == 0) {
            return;
        }
        int source = (int) (split >>> 33);
        int target = (int) ((split >>> 1) & 0xFFFF_FFFFL);
        long routing = header.routing();
        if ((split & PRUNING) == 0 && ShardRouting.shards(routing) == target) {
            // Copying, and the routing never named the target: nobody has read from it.
            shards.forget(target);
            try {
                Files.deleteIfExists(shards.fileOf(target).path());
                Files.deleteIfExists(EntriesFile.creatingPath(shards.storePath(), target));
            } catch (IOException e) {
                throw new HearthException("cannot remove the half-made shard " + shards.fileOf(target).path() + ": " + e.getMessage(), e);
            }
            header.setSplit(0);
            LOG.log(System.Logger.Level.WARNING, "a split of shard " + source + " of " + store.path()
                    + " was cut short while copying; rolled back");
            return;
        }
        prune(source, routing);
        header.setSplit(0);
        header.countSplit();
        LOG.log(System.Logger.Level.WARNING, "a split of shard " + source + " of " + store.path()
                + " was cut short after the routing moved; finished removing what moved");
    }

    /** Removes from the source shard every entry that the routing sends elsewhere. */
    private void prune(int source, long routing) {
        EntryShards.Shard from = shards.shard(source);
        for (int segment = 0; segment < from.map().segments(); segment++) {
            try (MapSegmentContext<String, byte[], ?> context = from.map().segmentContext(segment)) {
                context.forEachSegmentEntry(entry -> {
                    String key = entry.key().get();
                    if (!key.equals(EntriesFile.ID_KEY) && ShardRouting.shardOf(ShardRouting.hash(key), routing) != source) {
                        entry.doRemove();
                    }
                });
            }
        }
    }

    private static long splitWord(int source, int target, long phase) {
        return (long) source << 33 | (long) target << 1 | phase;
    }
}
