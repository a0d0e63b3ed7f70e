package io.hearth.file;

import io.hearth.HearthException;
import io.hearth.StoreFullException;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import net.openhft.chronicle.core.OS;
import net.openhft.chronicle.hash.impl.VanillaChronicleHash;
import net.openhft.chronicle.map.ChronicleMap;

/**
 * Disk space for the entries file's next tier bulk, allocated before Chronicle needs it.
 *
 * <p>When a segment fills, Chronicle chains an extra tier to it, from bulks of tiers it appends to
 * the file: it extends the file ({@code setLength}, which leaves a hole) and then asks for the
 * blocks ({@code posix_fallocate}). On a full disk the second step fails after the first, leaving
 * a hole that the next bulk allocation maps and writes into: a fault (SIGBUS) on a mapped page,
 * an {@code InternalError} that kills the writer mid-put. So Hearth writes the next bulk's bytes
 * itself, beyond every byte in use, under Chronicle's global lock; Chronicle then finds the file
 * long enough and maps blocks that exist. When the disk has no room for them, writes that could
 * need a new tier are refused first, with {@link StoreFullException} naming the file and the bytes
 * wanted, and nothing is touched; they are tried again once there is room.
 *
 * <pre>
 *   entries file: | Chronicle's segments ... | bulk 0 | bulk 1 | ... | bulk n-1 | next bulk (allocated here) |
 *   bulk k ends at pageAlign(sizeInBytesWithoutTiers + (k + 1) x tierBulkSizeInBytes)
 * </pre>
 *
 * Each process remembers for which bulk count it wrote the next bulk's bytes (writing them again
 * is harmless: nobody uses them yet); a process that cuts a hole off raises the store header's
 * space epoch ({@link StoreHeader#SPACE_EPOCH_OFFSET}), which makes every process write them anew.
 */
final class EntriesSpace implements AutoCloseable {
    /** After the disk was found full, how long a process waits before it tries to allocate again. */
    private static final long RETRY_NANOS = 100_000_000L;

    private final VanillaChronicleHash<?, ?, ?, ?> hash;
    private final TierAllocationLock tierLock;
    private final Path path;
    private final StoreHeader header;
    private final FileChannel channel;
    private final long bulkBytes;
    private final long maxBulks;
    private volatile long shortUntilNanos;
    /** The bulk count, and the space epoch, for which this process last wrote the next bulk's bytes. */
    private volatile long readyFor = -1;
    private volatile long readyInEpoch = -1;

    EntriesSpace(ChronicleMap<String, byte[]> map, EntriesFile entriesFile, StoreFile store) throws IOException {
        this.hash = (VanillaChronicleHash<?, ?, ?, ?>) map;
        this.path = entriesFile.path();
        this.tierLock = new TierAllocationLock(hash, path);
        this.header = store.header();
        this.channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        this.bulkBytes = chronicleField("tierBulkSizeInBytes");
        long tiersInBulk = chronicleField("tiersInBulk");
        this.maxBulks = (chronicleField("maxExtraTiers") + tiersInBulk - 1) / tiersInBulk;
    }

    /**
     * Before a write that may chain a new tier (an insert, or a value that may not fit in place):
     * returns when Chronicle can take a tier without growing the file into a hole, else refuses.
     *
     * @throws StoreFullException  when no tier is free and the disk has no room for another bulk
     * @throws HolderDiedException when a stripe holder died, perhaps holding the tier allocation lock
     */
    void ensureRoomForATier(MapLockTable locks) {
        // Chronicle's tier allocation, in the write that follows, must not meet a dead process's lock.
        tierLock.awaitFree(locks);
        long allocated = hash.globalMutableState().getAllocatedExtraTierBulks();
        if ((readyFor == allocated && readyInEpoch == header.spaceEpoch()) || allocated >= maxBulks) {
            return; // the next bulk is ready, or Chronicle refuses any further one itself
        }
        if (System.nanoTime() - shortUntilNanos < 0) {
            refuseIfNoFreeTier(allocated, 0);
            return;
        }
        long wanted = allocateNextBulk(locks);
        if (wanted > 0) {
            shortUntilNanos = System.nanoTime() + RETRY_NANOS;
            refuseIfNoFreeTier(allocated, wanted);
        }
    }

    /**
     * Chronicle failed to allocate space itself (another process took the last free tier first):
     * cuts off the hole it may have left, so no later bulk is mapped over it.
     */
    void afterChronicleFailedToAllocate(MapLockTable locks) {
        tierLock.lock(locks);
        try {
            long safeEnd = bulkEnd(hash.globalMutableState().getAllocatedExtraTierBulks() - 1);
            if (channel.size() > safeEnd) {
                channel.truncate(safeEnd);
                header.raiseSpaceEpoch();
            }
        } catch (IOException e) {
            throw new HearthException("cannot cut the entries file " + path + " back to its allocated length: " + e.getMessage(), e);
        } finally {
            tierLock.unlock();
        }
    }

    /** Writes the next bulk's bytes under Chronicle's global lock; returns 0 when done, else the bytes it could not get. */
    private long allocateNextBulk(MapLockTable locks) {
        tierLock.lock(locks);
        try {
            CreationSteps.reached("tier-bulk-allocating");
            long allocated = hash.globalMutableState().getAllocatedExtraTierBulks();
            long epoch = header.spaceEpoch();
            long from = bulkEnd(allocated - 1);
            long to = bulkEnd(allocated);
            // Nothing past the last allocated bulk is mapped or used by anyone while we hold the lock.
            try {
                writeZeros(from, to);
            } catch (IOException e) {
                if (channel.size() > from) {
                    channel.truncate(from); // give back what was got: others may need it
                    header.raiseSpaceEpoch();
                }
                if (DiskSpace.isOutOfSpace(e)) {
                    return to - from;
                }
                throw e;
            }
            readyFor = allocated;
            readyInEpoch = epoch;
            return 0;
        } catch (IOException e) {
            throw new HearthException("cannot allocate " + bulkBytes + " bytes for the entries file " + path + ": " + e.getMessage(), e);
        } finally {
            tierLock.unlock();
        }
    }

    private void refuseIfNoFreeTier(long allocated, long wanted) {
        if (hash.globalMutableState().getFirstFreeTierIndex() > 0) {
            return; // a tier of an allocated bulk is free: no file growth needed
        }
        throw new StoreFullException("no room on the file system for the entries file " + path + ": it needs "
                + (wanted > 0 ? wanted : bulkEnd(allocated) - bulkEnd(allocated - 1)) + " more bytes for its next tier bulk"
                + DiskSpace.usable(path) + "; nothing was written, and writing works again once there is room");
    }

    /** Where bulk k ends in the file; bulk -1 is Chronicle's fixed part. */
    private long bulkEnd(long bulk) {
        long end = hash.sizeInBytesWithoutTiers() + (bulk + 1) * bulkBytes;
        long page = OS.mapAlignment();
        return (end + page - 1) / page * page;
    }

    private void writeZeros(long from, long to) throws IOException {
        ByteBuffer zeros = ByteBuffer.allocate(64 * 1024);
        for (long position = from; position < to; ) {
            zeros.clear().limit((int) Math.min(zeros.capacity(), to - position));
            position += channel.write(zeros, position);
        }
        channel.force(false);
    }

    private long chronicleField(String name) {
        try {
            Field field = VanillaChronicleHash.class.getDeclaredField(name);
            field.setAccessible(true);
            return ((Number) field.get(hash)).longValue();
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new HearthException("cannot read Chronicle's " + name + " of " + path + " (a Chronicle Map version"
                    + " Hearth was not built with?): " + e, e);
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // the mapping Chronicle holds is what matters; this channel only wrote zeros
        }
    }
}
