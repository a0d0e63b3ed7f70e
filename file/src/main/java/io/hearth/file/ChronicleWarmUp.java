package io.hearth.file;

import java.io.File;
import java.io.IOException;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ChronicleMapBuilder;
import net.openhft.chronicle.map.ExternalMapQueryContext;

/**
 * Loads and initialises Chronicle Map's classes once per JVM before the open lock is taken. A cold
 * JVM's first map costs most of a second of CPU in class loading; done under the open lock, that
 * made every process starting at once wait for each other's class loading in turn (a supervisor
 * starting fifty standbys filled its pool one second at a time). A small map in memory, written
 * and read the way the entries are, then closed, leaves the open lock held for the open alone.
 */
final class ChronicleWarmUp {
    private static boolean done; // guarded by the class: one warm-up per JVM is all there is to do

    private ChronicleWarmUp() {
    }

    static synchronized void once() {
        if (done) {
            return;
        }
        done = true;
        File file = null;
        try {
            file = File.createTempFile("hearth-warm-up", ".map");
            ChronicleMapBuilder<String, byte[]> builder = ChronicleMapBuilder.of(String.class, byte[].class)
                    .name("hearth-warm-up")
                    .entries(64)
                    .averageKeySize(24)
                    .averageValueSize(128)
                    .actualChunkSize(EntriesFile.CHUNK_BYTES)
                    .checksumEntries(true)
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
        } catch (IOException | RuntimeException | LinkageError | AssertionError e) {
            // Nothing depends on it (Chronicle reports some faults as AssertionError): the open that
            // follows does the same work, and reports what fails.
        } finally {
            if (file != null && !file.delete()) {
                file.deleteOnExit();
            }
        }
    }
}
