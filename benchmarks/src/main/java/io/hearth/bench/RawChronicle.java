package io.hearth.bench;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ChronicleMapBuilder;
import net.openhft.chronicle.map.ExternalMapQueryContext;
import net.openhft.chronicle.map.MapEntry;

/** The dependency's floor: Chronicle Map with byte[] values, used directly as its docs show. */
final class RawChronicle {
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private RawChronicle() {
    }

    /** The size of the map of each floor benchmark, which holds one entry. */
    static final long BENCHMARK_ENTRIES = 100_000;

    /** Opens (or creates) a persisted map sized for this many entries like the key and value given. */
    static ChronicleMap<String, byte[]> open(File file, long entries, String sampleKey, int valueBytes) {
        System.setProperty("chronicle.analytics.disable", "true");
        try {
            return ChronicleMapBuilder.of(String.class, byte[].class)
                    .name("raw-floor")
                    .entries(entries)
                    .averageKey(sampleKey)
                    .averageValueSize(valueBytes)
                    .putReturnsNull(true) // put need not read back the old value; Hearth's put does not either
                    .createPersistedTo(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Read-modify-write under the entry's update lock: adds one to the value's first 8 bytes. */
    static long rmw(ChronicleMap<String, byte[]> map, String key) {
        try (ExternalMapQueryContext<String, byte[], ?> context = map.queryContext(key)) {
            context.updateLock().lock();
            MapEntry<String, byte[]> entry = context.entry();
            byte[] value = entry.value().get();
            long next = (long) LONG.get(value, 0) + 1;
            LONG.set(value, 0, next);
            context.replaceValue(entry, context.wrapValueAsData(value));
            return next;
        }
    }
}
