package io.hearth.bench;

import io.hearth.ReadCacheStats;
import io.hearth.SharedMap;
import io.hearth.SharedStore;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The heap the read cache takes: writes a million {@link Population} entries (111 bytes of JSON
 * each), measures the used heap after full collections, reads every entry once through the cache
 * and measures again. With "unbounded" the cache's bound is far above what a million take; with
 * "default" it is the builder's default, and the figures say how many records that holds.
 *
 * <pre>{@code
 * java $(java -cp benchmarks/target/benchmarks.jar io.hearth.internal.JvmOptions) -Xmx3g -XX:+UseSerialGC \
 *     -cp benchmarks/target/benchmarks.jar io.hearth.bench.ReadCacheHeap unbounded /tmp/dir
 * }</pre>
 *
 * Not JOL: the used heap of a serial-collected JVM after {@code System.gc()}, which counts every
 * object the cache keeps (Caffeine's nodes, keys, the decoded records and their strings) and
 * nothing else that changed between the two measurements but this loop's garbage, collected first.
 */
public final class ReadCacheHeap {
    private ReadCacheHeap() {
    }

    public static void main(String[] args) throws Exception {
        boolean unbounded = args[0].equals("unbounded");
        Path dir = Path.of(args[1]);
        int n = Population.MILLION;
        SharedStore.Builder builder = SharedStore.builder(dir.resolve("heap.store")).expectedEntries(1_100_000);
        if (unbounded) {
            builder.readCacheBytes(16L << 30);
        }
        try (SharedStore store = builder.open()) {
            SharedMap<Profile> map = store.map("profiles", Profile.class);
            Population.write(map, n);
            String[] keys = Population.keys(n); // made before the first measurement, kept to the last
            long before = usedHeapAfterGc();
            long checksum = 0;
            for (String key : keys) {
                checksum += map.get(key).visits();
            }
            long after = usedHeapAfterGc();
            ReadCacheStats stats = store.stats().readCache();
            System.out.printf(Locale.ROOT, "bound %d bytes, %d records cached of %d read, heap %d -> %d bytes: %.1f MB, %.0f bytes a record (checksum %d)%n",
                    stats.maximumBytes(), stats.size(), n, before, after, (after - before) / 1e6,
                    stats.size() == 0 ? 0.0 : (double) (after - before) / stats.size(), checksum);
            System.out.println(map.get(keys[0]) != null ? "" : "?"); // keeps map and keys reachable up to here
        }
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(100);
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
