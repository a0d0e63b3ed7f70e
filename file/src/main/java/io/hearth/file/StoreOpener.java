package io.hearth.file;

import io.hearth.HearthException;
import io.hearth.IncompatibleStoreException;
import io.hearth.StoreFullException;
import io.hearth.spi.Processes;
import io.hearth.spi.StoreOptions;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.Set;
import net.openhft.chronicle.map.ChronicleMap;

/**
 * Opens or creates a file store: both files, the decision to create or refuse, and the decision
 * to repair. Holds an exclusive OS lock on the store file throughout, so processes opening a new
 * store at the same instant create it once, and so every attached process registers under it:
 * "no attached process is alive" then means nobody else has the entries file open.
 */
final class StoreOpener {
    static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    /** FileChannel.lock is per process; this orders opens by threads of one process. */
    private static final Object OPEN_LOCK = new Object();
    private static final SecureRandom RANDOM = new SecureRandom();
    /**
     * An open holds the lock for milliseconds, or seconds while it repairs a large store alone.
     * Tests shorten it with system property {@value #OPEN_LOCK_WAIT_PROPERTY} (milliseconds).
     */
    static final String OPEN_LOCK_WAIT_PROPERTY = "hearth.test.openLockWaitMillis";
    static final Duration OPEN_LOCK_WAIT = Duration.ofMillis(Long.getLong(OPEN_LOCK_WAIT_PROPERTY, 30_000));
    /** How often a waiter reads /proc/locks for who holds the open lock now. */
    private static final long HOLDER_LOOK_NANOS = 200_000_000L;

    private StoreOpener() {
    }

    /** Opens the store at path (absolute), creating it with layout when absent; options say what the caller asked for. */
    static FileBackend open(Path path, StoreLayout layout, StoreOptions options) {
        int expectedKeyBytes = options.expectedKeyBytes();
        int expectedValueBytes = options.expectedValueBytes();
        synchronized (OPEN_LOCK) {
            FileChannel channel = null;
            try {
                Files.createDirectories(path.getParent());
                channel = openChannel(path);
                try (FileLock ignored = awaitOpenLock(path, channel)) {
                    CreationSteps.reached("open-lock-taken");
                    FileBackend backend = openLocked(path, channel, layout, expectedKeyBytes, expectedValueBytes);
                    if (!backend.created()) {
                        ShapeWarnings.warnOfDifferences(path, backend.layout(), layout, options.given());
                    }
                    return backend;
                }
            } catch (IOException e) {
                closeQuietly(channel);
                if (DiskSpace.isOutOfSpace(e)) {
                    throw new StoreFullException("no room on the file system for store " + path + ": " + e.getMessage()
                            + DiskSpace.usable(path) + "; a new store needs " + layout.fileLength() + " bytes for " + path
                            + " plus its entries file; nothing was created", e);
                }
                throw new HearthException("cannot open store file " + path + ": " + e, e);
            } catch (RuntimeException e) {
                closeQuietly(channel);
                throw e;
            }
        }
    }

    private static FileBackend openLocked(Path path, FileChannel channel, StoreLayout wanted, int expectedKeyBytes,
                                          int expectedValueBytes) throws IOException {
        StoreFile store = StoreHeader.needsCreation(channel)
                ? create(path, channel, wanted, expectedKeyBytes, expectedValueBytes)
                : StoreFile.mapExisting(path, channel);
        int shardCount = ShardRouting.shards(store.header().routing());
        for (int shard = 0; shard < shardCount; shard++) {
            if (EntriesFile.isNew(path, shard)) {
                throw new IncompatibleStoreException("the entries file " + EntriesFile.pathOf(path, shard) + " of store " + path
                        + " is missing or empty: it was deleted or moved while the store existed, and a new one would"
                        + " silently hold none of the store's entries; restore it" + deletedFileNote(store)
                        + ", or remove the store file " + path + " and its entries files too to start an empty store");
            }
        }
        ChangeRing changes = openChanges(store);
        RedoJournal journal = new RedoJournal(store, changes);
        SegmentSnapshots snapshots = new SegmentSnapshots(store);
        EntryShards shards = new EntryShards(store, expectedKeyBytes, expectedValueBytes);
        ShardSplit split = new ShardSplit(shards, store);
        FileBackend backend;
        try {
            if (!store.created() && new WorkerTable(store).diedWithNoneLive()) {
                OpenRecovery.recover(store, shards, MapLockTable.withoutRepair(store, Processes.currentPid()), journal,
                        snapshots, split);
            } else if (!store.created()) {
                for (int shard = 0; shard < shardCount; shard++) {
                    if (!shards.fileOf(shard).headerComplete()) {
                        // Only a whole-file repair, run with nobody attached, marks it so; with processes attached now
                        // it cannot be finished here, and Chronicle would wait a minute for it.
                        throw new HearthException("the entries file " + shards.fileOf(shard).path() + " is marked as under"
                                + " repair by a repair that was cut short, but processes " + attached(store)
                                + " are attached; stop them, and the next open repairs the store");
                    }
                }
            }
            backend = new FileBackend(channel, store, shards, split, journal, snapshots, changes);
        } catch (RuntimeException | IOException e) {
            shards.close();
            throw e;
        }
        try {
            backend.checkEntriesBelong();
        } catch (RuntimeException e) {
            backend.close();
            throw e;
        }
        return backend;
    }

    /**
     * Creates the store: the store file's header (not yet published), then the entries file,
     * built aside and renamed into place, then the header's magic. A creation cut short at any
     * step leaves a store file that is empty or unpublished, which the next open creates anew.
     */
    private static StoreFile create(Path path, FileChannel channel, StoreLayout layout, int expectedKeyBytes,
                                    int expectedValueBytes) throws IOException {
        int shards = 1 << layout.initialShardLevel();
        if (!EntriesFile.isNew(path)) {
            refuseUnlessOwnUnfinished(path, channel, layout, expectedKeyBytes, expectedValueBytes);
            // Its creation renamed it (and maybe more shards, made after it) into place but died before
            // publishing the header: nobody ever used them, so they hold nothing; built again with the new id.
            for (int shard = 0; shard < shards; shard++) {
                Files.deleteIfExists(EntriesFile.pathOf(path, shard));
            }
        } else if (!EntriesFile.isNew(path, 1)) {
            // Shard 0 is made first: a shard 1 without it is another store's, left when its files were removed.
            if (channel.size() == 0) {
                Files.deleteIfExists(path);
            }
            throw new IncompatibleStoreException("store file " + path + " is missing or new but the entries file "
                    + EntriesFile.pathOf(path, 1) + " already holds data; restore the store file or remove the entries files");
        }
        byte[] storeId = new byte[StoreHeader.STORE_ID_LENGTH];
        RANDOM.nextBytes(storeId);
        StoreFile store;
        try {
            store = StoreFile.beginCreation(path, channel, layout, storeId);
            for (int shard = 0; shard < shards; shard++) {
                new EntriesFile(path, shard, layout, expectedKeyBytes, expectedValueBytes).create(storeId);
            }
        } catch (IOException | RuntimeException e) {
            // Give the space back (a full disk is the likely cause); the next open starts again from an empty file.
            channel.truncate(0);
            for (int shard = 0; shard < shards; shard++) {
                Files.deleteIfExists(EntriesFile.creatingPath(path, shard));
                if (shard > 0) {
                    Files.deleteIfExists(EntriesFile.pathOf(path, shard));
                }
            }
            Files.deleteIfExists(EntriesFile.pathOf(path));
            throw e;
        }
        CreationSteps.reached("entries-file-in-place");
        store.publish();
        CreationSteps.reached("published");
        return store;
    }

    /**
     * An unpublished store file beside an entries file that holds data: that file is this
     * creation's own when it holds the id the unfinished header holds. Anything else is another
     * store's, and a fresh header would restart versions and the entry count under its entries:
     * refused before a byte is written, and a store file this open made empty is removed again.
     */
    private static void refuseUnlessOwnUnfinished(Path path, FileChannel channel, StoreLayout layout, int expectedKeyBytes,
                                                  int expectedValueBytes) throws IOException {
        byte[] unfinishedId = StoreHeader.readUnfinishedStoreId(channel);
        EntriesFile existing = new EntriesFile(path, layout, expectedKeyBytes, expectedValueBytes);
        if (unfinishedId != null && existing.headerComplete()) {
            try (ChronicleMap<String, byte[]> map = existing.open()) {
                if (Arrays.equals(unfinishedId, EntriesFile.storeIdIn(map))) {
                    return;
                }
            } catch (RuntimeException | IOException notOurs) {
                // not a Hearth entries file this creation made: refused below
            }
        }
        if (channel.size() == 0) {
            Files.deleteIfExists(path);
        }
        throw new IncompatibleStoreException("store file " + path + " is missing or new but its entries file "
                + EntriesFile.pathOf(path) + " already holds data; restore the store file or remove the entries file");
    }

    /**
     * The store's change log, made when missing; null when it cannot be made (a full disk): the
     * store opens and works without one, and watching it is refused saying so.
     */
    private static ChangeRing openChanges(StoreFile store) {
        try {
            return ChangeRing.openOrCreate(store);
        } catch (IOException | RuntimeException e) {
            System.getLogger(StoreOpener.class.getName()).log(System.Logger.Level.WARNING, "store " + store.path()
                    + " opens without its change log " + ChangeRing.pathOf(store.path()) + ", which cannot be made ("
                    + e.getMessage() + "): SharedMap.watch is refused in this process, and watchers elsewhere are told of"
                    + " gaps where its writes should be");
            return null;
        }
    }

    /** For messages: the pids of the live processes attached to the store. */
    private static List<Long> attached(StoreFile store) {
        return new WorkerTable(store).live().stream().map(WorkerTable.Slot::pid).toList();
    }

    /** For messages: who may still hold a deleted entries file open. */
    private static String deletedFileNote(StoreFile store) {
        List<Long> attached = attached(store);
        return attached.isEmpty() ? "" : " (processes " + attached + " are attached and still use the deleted file:"
                + " it can be copied back from /proc/PID/fd of one of them before they stop)";
    }

    /**
     * Takes the open lock, waiting while its holders change: each holder only ever waits on its
     * own work (creating, or repairing with nobody else attached), never on another process, so
     * one holder keeping it over {@link #OPEN_LOCK_WAIT} is stopped or stuck, and this open fails
     * naming it rather than hang behind it. Many processes opening at once take it in turn, each
     * for its moment, however long the queue ({@link HolderDeadline}).
     */
    private static FileLock awaitOpenLock(Path path, FileChannel channel) throws IOException {
        long start = System.nanoTime();
        HolderDeadline deadline = new HolderDeadline(OPEN_LOCK_WAIT, start);
        long nextLook = start;
        for (int attempt = 0; ; attempt++) {
            FileLock lock = channel.tryLock();
            if (lock != null) {
                return lock;
            }
            long now = System.nanoTime();
            if (now - nextLook >= 0) {
                deadline.seen(OpenLockHolder.pid(path), now);
                nextLook = now + HOLDER_LOOK_NANOS;
            }
            if (deadline.passed(now)) {
                throw new HearthException("cannot open store " + path + ": its open lock has been held for over "
                        + (OPEN_LOCK_WAIT.toMillis() % 1000 == 0 ? OPEN_LOCK_WAIT.toSeconds() + " s" : OPEN_LOCK_WAIT.toMillis() + " ms")
                        + " by " + (deadline.holder() != HolderDeadline.UNKNOWN ? OpenLockHolder.describe(deadline.holder())
                        : OpenLockHolder.describe(path))
                        + ", which is opening or repairing it and seems stopped or stuck");
            }
            LockSupport.parkNanos(attempt < 100 ? 100_000 : 2_000_000);
        }
    }

    private static FileChannel openChannel(Path file) throws IOException {
        try {
            return FileChannel.open(file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                    StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        } catch (FileAlreadyExistsException e) {
            return FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // already failing with the cause that matters
            }
        }
    }
}
