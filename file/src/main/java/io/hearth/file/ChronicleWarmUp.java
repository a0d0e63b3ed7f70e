package io.hearth.file;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ChronicleMapBuilder;
import net.openhft.chronicle.map.ExternalMapQueryContext;

/**
 * Loads and initialises Chronicle Map's classes once per JVM before the open lock is taken. A cold
 * JVM's first map costs most of a second of CPU in class loading; done under the open lock, that
 * made every process starting at once wait for each other's class loading in turn (a supervisor
 * starting fifty standbys filled its pool one second at a time). A small map in a file of its own
 * in {@code java.io.tmpdir}, created, opened again (which reads Chronicle's header back) and
 * written the way the entries are, leaves the open lock held for the open alone. The file is
 * named after the process, and files of processes no longer alive (killed during their warm-up)
 * are deleted by the next warm-up.
 */
final class ChronicleWarmUp {
    private static final String PREFIX = "hearth-warm-up-";
    private static final String SUFFIX = ".map";
    private static boolean done; // guarded by the class: one warm-up per JVM is all there is to do

    private ChronicleWarmUp() {
    }

    static synchronized void once() {
        if (done) {
            return;
        }
        done = true;
        Path directory = Path.of(System.getProperty("java.io.tmpdir"));
        deleteLeftovers(directory);
        File file = directory.resolve(PREFIX + ProcessHandle.current().pid() + SUFFIX).toFile();
        try {
            Files.deleteIfExists(file.toPath()); // a pid reused after a kill
            // Its syncs are skipped: a scratch file, deleted below, and a sync would load the POSIX binding.
            DeferredPosix.withoutSyncs(() -> createAndReopen(file));
        } catch (IOException | RuntimeException | AssertionError e) {
            // Nothing depends on it (Chronicle reports some faults as AssertionError): the open that
            // follows does the same work, and reports what fails. A LinkageError (a class that cannot
            // initialise) propagates: the open would only report it as "could not initialize class".
        } finally {
            if (!file.delete()) {
                file.deleteOnExit();
            }
        }
    }

    /** Creates the scratch map, writes to it, and opens it again: what an open of the store does first. */
    private static void createAndReopen(File file) {
        try {
            ChronicleMapBuilder<String, byte[]> builder = ChronicleMapBuilder.of(String.class, byte[].class)
                    .name("hearth-warm-up")
                    .entries(64)
                    .averageKeySize(24)
                    .averageValueSize(128)
                    .actualChunkSize(EntriesFile.CHUNK_BYTES)
                    .checksumEntries(true)
                    .sparseFile(true) // no posix_fallocate, which would load the POSIX binding (DeferredPosix)
                    .skipCloseOnExitHook(true);
            byte[] value = new byte[EntryValue.HEADER + 16];
            try (ChronicleMap<String, byte[]> map = builder.createPersistedTo(file)) {
                try (ExternalMapQueryContext<String, byte[], ?> context = map.queryContext("warm-up")) {
                    context.updateLock().lock();
                    context.insert(context.absentEntry(), context.wrapValueAsData(value));
                }
            }
            // Opening an existing file reads Chronicle's header back (its wire format): most of the cost.
            try (ChronicleMap<String, byte[]> map = builder.createPersistedTo(file)) {
                try (ExternalMapQueryContext<String, byte[], ?> context = map.queryContext("warm-up")) {
                    context.updateLock().lock();
                    context.replaceValue(context.entry(), context.wrapValueAsData(value));
                }
                map.get("warm-up");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes warm-up files whose process is no longer alive. */
    private static void deleteLeftovers(Path directory) {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, PREFIX + "*" + SUFFIX)) {
            for (Path leftover : files) {
                String name = leftover.getFileName().toString();
                String pid = name.substring(PREFIX.length(), name.length() - SUFFIX.length());
                if (pid.chars().allMatch(Character::isDigit) && !pid.isEmpty()
                        && !ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false)) {
                    Files.deleteIfExists(leftover);
                }
            }
        } catch (IOException | RuntimeException e) {
            // another process's file, a directory we may not list: leave it
        }
    }
}
