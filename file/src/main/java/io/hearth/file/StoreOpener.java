package io.hearth.file;

import io.hearth.HearthException;
import io.hearth.IncompatibleStoreException;
import io.hearth.spi.Processes;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
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

    private StoreOpener() {
    }

    /** Opens the store at path (absolute), creating it with layout when absent. */
    static FileBackend open(Path path, StoreLayout layout, int expectedKeyBytes, int expectedValueBytes) {
        synchronized (OPEN_LOCK) {
            FileChannel channel = null;
            try {
                Files.createDirectories(path.getParent());
                channel = openChannel(path);
                try (FileLock ignored = channel.lock()) {
                    return openLocked(path, channel, layout, expectedKeyBytes, expectedValueBytes);
                }
            } catch (IOException e) {
                closeQuietly(channel);
                throw new HearthException("cannot open store file " + path + ": " + e, e);
            } catch (RuntimeException e) {
                closeQuietly(channel);
                throw e;
            }
        }
    }

    private static FileBackend openLocked(Path path, FileChannel channel, StoreLayout wanted, int expectedKeyBytes,
                                          int expectedValueBytes) throws IOException {
        boolean newEntries = EntriesFile.isNew(path);
        if (StoreHeader.needsCreation(channel) && !newEntries) {
            // A fresh header would restart versions and the entry count under old entries.
            // Decided before writing a byte: a refused open leaves no store file behind.
            if (channel.size() == 0) {
                Files.deleteIfExists(path);
            }
            throw new IncompatibleStoreException("store file " + path + " is missing or new but its entries file "
                    + EntriesFile.pathOf(path) + " already holds data; restore the store file or remove the entries file");
        }
        StoreFile store = StoreFile.mapOrCreate(path, channel, wanted);
        // Shaped by the layout the store file really has, which an existing file keeps.
        EntriesFile entriesFile = new EntriesFile(path, store.layout(), expectedKeyBytes, expectedValueBytes);
        RedoJournal journal = new RedoJournal(store);
        SegmentSnapshots snapshots = new SegmentSnapshots(entriesFile, store);
        ChronicleMap<String, byte[]> map;
        if (!newEntries && new WorkerTable(store).diedWithNoneLive()) {
            map = OpenRecovery.recoverAndOpen(entriesFile, store, MapLockTable.withoutRepair(store, Processes.currentPid()),
                    journal, snapshots);
        } else {
            map = entriesFile.open();
        }
        if (newEntries) {
            Files.setPosixFilePermissions(entriesFile.path(), OWNER_ONLY);
        }
        try {
            return new FileBackend(channel, store, entriesFile, map, journal, snapshots);
        } catch (RuntimeException e) {
            map.close();
            throw e;
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
