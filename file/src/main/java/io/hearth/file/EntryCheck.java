package io.hearth.file;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import io.hearth.HearthException;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.MapEntry;
import net.openhft.chronicle.map.MapSegmentContext;

/**
 * The integrity check of the entries: every entry's key shape, version range and JSON, and the
 * header's entry count against a recount. It never repairs: a segment whose stripe a dead
 * process holds is reported and left for the repair the next map call runs, so the report shows
 * what a crash left behind.
 */
final class EntryCheck {
    private static final VarHandle VERSION = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final ChronicleMap<String, byte[]> map;
    private final StoreHeader header;
    private final MapLockTable locks;

    EntryCheck(ChronicleMap<String, byte[]> map, StoreFile store, MapLockTable locks) {
        this.map = map;
        this.header = store.header();
        this.locks = locks;
    }

    /** Adds a line to problems for each thing wrong; returns the entries found. */
    long check(List<String> problems) {
        long versionSequence = header.versionSequence();
        JsonFactory json = new JsonFactory();
        long[] found = {0};
        boolean[] idFound = {false};
        boolean everySegment = true;
        locks.check(problems);
        for (int segment = 0; segment < map.segments(); segment++) {
            int stripe = locks.stripeOf(segment);
            try {
                if (!locks.lock(stripe)) {
                    problems.add("segment " + segment + " was not checked: its map lock stripe " + stripe
                            + " is held by a dead process, and no process has repaired it yet");
                    everySegment = false;
                    continue;
                }
            } catch (HearthException e) {
                problems.add("segment " + segment + " was not checked: " + e.getMessage());
                everySegment = false;
                continue;
            }
            try (MapSegmentContext<String, byte[], ?> context = map.segmentContext(segment)) {
                context.forEachSegmentEntry(entry -> {
                    if (entry.key().get().equals(EntriesFile.ID_KEY)) {
                        idFound[0] = true;
                    } else {
                        found[0]++;
                    }
                    checkEntry(entry, versionSequence, json, problems);
                });
            } finally {
                locks.unlock(stripe);
            }
        }
        long counted = header.entryCount();
        if (everySegment && counted != found[0]) {
            problems.add("the header counts " + counted + " entries but " + found[0] + " are stored");
        }
        if (everySegment && !idFound[0]) {
            problems.add("the entries file holds no store id (" + CompositeKeys.printable(EntriesFile.ID_KEY) + "): it was not made with this store");
        }
        return found[0];
    }

    private void checkEntry(MapEntry<String, byte[]> entry, long versionSequence, JsonFactory json, List<String> problems) {
        String compositeKey = entry.key().get();
        if (compositeKey.equals(EntriesFile.ID_KEY)) {
            byte[] id = entry.value().get();
            if (!Arrays.equals(id, header.storeId())) {
                problems.add("the entries file's store id does not match the store file's: they belong to different stores");
            }
            return;
        }
        int separator = compositeKey.indexOf(CompositeKeys.SEPARATOR);
        if (separator < 1 || separator == compositeKey.length() - 1) {
            problems.add("entry key " + CompositeKeys.printable(compositeKey) + " is not map name, NUL, key");
            return;
        }
        byte[] raw = entry.value().get();
        if (raw.length < Long.BYTES) {
            problems.add("entry " + CompositeKeys.printable(compositeKey) + " is " + raw.length + " bytes, shorter than its version");
            return;
        }
        long version = (long) VERSION.get(raw, 0);
        if (version < 1 || version > versionSequence) {
            problems.add("entry " + CompositeKeys.printable(compositeKey) + " has version " + version
                    + ", outside 1.." + versionSequence + " (the versions handed out)");
        }
        try (JsonParser parser = json.createParser(raw, Long.BYTES, raw.length - Long.BYTES)) {
            if (parser.nextToken() == null) {
                problems.add("entry " + CompositeKeys.printable(compositeKey) + " has no JSON");
            }
            parser.skipChildren();
            if (parser.nextToken() != null) {
                problems.add("entry " + CompositeKeys.printable(compositeKey) + " has bytes after its JSON value");
            }
        } catch (IOException e) {
            problems.add("entry " + CompositeKeys.printable(compositeKey) + " holds broken JSON: " + e.getMessage());
        }
    }
}
