package io.hearth.file;

import io.hearth.HearthException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import net.openhft.chronicle.map.ChronicleMap;

/**
 * The shards of a store's entries: one Chronicle Map each, {@code PATH.entries}, {@code PATH.entries.1},
 * ..., as many as the routing word in the store header says ({@link ShardRouting}). A process opens
 * a shard when it first needs it, so every process follows a split without being told.
 */
final class EntryShards implements AutoCloseable {
    /** One opened shard. */
    record Shard(int index, EntriesFile file, ChronicleMap<String, byte[]> map, EntriesSpace space) {
    }

    private final StoreFile store;
    private final StoreHeader header;
    private final int expectedKeyBytes;
    private final int expectedValueBytes;
    private final List<Shard> opened = new ArrayList<>();
    private volatile Shard[] byIndex = new Shard[0];

    EntryShards(StoreFile store, int expectedKeyBytes, int expectedValueBytes) {
        this.store = store;
        this.header = store.header();
        this.expectedKeyBytes = expectedKeyBytes;
        this.expectedValueBytes = expectedValueBytes;
    }

    long routing() {
        return header.routing();
    }

    /** The shard the key lives in under this routing word, opened. */
    Shard forKey(String compositeKey, long routing) {
        return shard(ShardRouting.shardOf(ShardRouting.hash(compositeKey), routing));
    }

    /** The shard, opened on first use. */
    Shard shard(int index) {
        Shard[] known = byIndex;
        if (index < known.length && known[index] != null) {
            return known[index];
        }
        return open(index);
    }

    /** Every shard the routing word spans now, opened. */
    List<Shard> all() {
        int count = ShardRouting.shards(routing());
        List<Shard> all = new ArrayList<>(count);
        for (int index = 0; index < count; index++) {
            all.add(shard(index));
        }
        return all;
    }

    EntriesFile fileOf(int index) {
        return new EntriesFile(store.path(), index, store.layout(), expectedKeyBytes, expectedValueBytes);
    }

    private synchronized Shard open(int index) {
        Shard[] known = byIndex;
        if (index < known.length && known[index] != null) {
            return known[index];
        }
        EntriesFile file = fileOf(index);
        try {
            ChronicleMap<String, byte[]> map = file.open();
            Shard shard = new Shard(index, file, map, new EntriesSpace(map, file, store));
            opened.add(shard);
            Shard[] grown = java.util.Arrays.copyOf(known, Math.max(known.length, index + 1));
            grown[index] = shard;
            byIndex = grown;
            return shard;
        } catch (IOException e) {
            throw new HearthException("cannot open shard " + index + " of the entries, " + file.path() + ": " + e.getMessage(), e);
        }
    }

    /** Closes and forgets a shard this process opened (a split rolled back deletes its file). */
    synchronized void forget(int index) {
        Shard[] known = byIndex;
        if (index < known.length && known[index] != null) {
            Shard shard = known[index];
            opened.remove(shard);
            Shard[] shrunk = known.clone();
            shrunk[index] = null;
            byIndex = shrunk;
            closeQuietly(shard);
        }
    }

    Path storePath() {
        return store.path();
    }

    /** Map entries over every shard, reserved ones left out: what the header's count must say. */
    long countEntries() {
        long count = 0;
        for (Shard shard : all()) {
            count += EntriesFile.countEntries(shard.map());
        }
        return count;
    }

    /** The length of every shard's file together. */
    long fileBytes() {
        long bytes = 0;
        for (Shard shard : all()) {
            bytes += shard.file().file().length();
        }
        return bytes;
    }

    @Override
    public synchronized void close() {
        RuntimeException failure = null;
        for (Shard shard : opened) {
            try {
                shard.map().close();
            } catch (RuntimeException e) {
                failure = failure == null ? e : failure;
            } finally {
                shard.space().close();
            }
        }
        opened.clear();
        byIndex = new Shard[0];
        if (failure != null) {
            throw failure;
        }
    }

    private static void closeQuietly(Shard shard) {
        try {
            shard.map().close();
        } catch (RuntimeException ignored) {
            // being dropped anyway
        } finally {
            shard.space().close();
        }
    }
}
