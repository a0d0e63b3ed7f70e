package io.hearth.redis;

import static io.hearth.redis.RedisCalls.bytes;
import static io.hearth.redis.RedisCalls.string;

import io.hearth.StoreFullException;
import io.hearth.spi.StoreBackend;
import io.hearth.spi.StoredEntry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.function.Consumer;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * The store's map entries: one hash per map, field = key, value = "version:json", or
 * "version/deadline:json" for an entry that expires (deadline: epoch ms of the server's clock).
 * Reads, writes, expire and remove are Lua scripts, so the version check, the expiry check, the
 * entry count and the expiry index move together; an expired field is absent to all of them and
 * to listing until {@link RedisSweep} or a remove deletes it. Thread-safe.
 */
final class RedisEntries {
    private static final byte[] ANY_BYTES = bytes(String.valueOf(StoreBackend.ANY));
    /** What {@link #deadline} returns for a field without one. */
    private static final long NONE = -1;

    private final RedisSettings settings;
    private final RedisKeys keys;
    private final RedisCalls calls;

    RedisEntries(RedisSettings settings, RedisKeys keys, RedisCalls calls) {
        this.settings = settings;
        this.keys = keys;
        this.calls = calls;
    }

    /** See {@link StoreBackend#get}. */
    StoredEntry get(String map, String key) {
        Object found = calls.call("read key '" + key + "' of map '" + map + "'", jedis -> Scripts.READ.run(jedis,
                List.of(keys.map(map)), List.of(bytes(key))));
        return found == null ? null : entry((List<?>) found);
    }

    /**
     * See {@link StoreBackend#write}; throws {@link StoreFullException} when a new key would pass
     * maxEntries (after sweeping the entries that have expired).
     */
    long write(String map, String key, long expectedVersion, byte[] json, long expiresAt) {
        long timeToLive = expiresAt == StoreBackend.KEEP_EXPIRY ? -1
                : expiresAt == StoreBackend.NO_EXPIRY ? 0 : Deadlines.millisUntil(expiresAt);
        Object result = calls.call("write key '" + key + "' of map '" + map + "'", jedis -> Scripts.WRITE.run(jedis,
                List.of(keys.map(map), keys.version(), keys.entryCount(), keys.expiringEntries(), keys.changes()),
                List.of(bytes(key), bytes(String.valueOf(expectedVersion)), json, bytes(String.valueOf(settings.maxEntries())),
                        bytes(String.valueOf(timeToLive)), RedisKeys.expiringEntry(map, key), keys.mapPrefix(),
                        RedisSweep.LIMIT_BYTES)));
        long version = (Long) result;
        if (version < 0) {
            throw new StoreFullException("store is full: it holds " + -version + " entries, its capacity is "
                    + settings.maxEntries() + " (maxEntries) in " + settings.location());
        }
        return version;
    }

    /** See {@link StoreBackend#expire}. */
    boolean expire(String map, String key, long expiresAt) {
        long timeToLive = expiresAt == StoreBackend.NO_EXPIRY ? 0 : Deadlines.millisUntil(expiresAt);
        Object changed = calls.call("set the expiry of key '" + key + "' of map '" + map + "'", jedis -> Scripts.EXPIRE.run(jedis,
                List.of(keys.map(map), keys.expiringEntries()),
                List.of(bytes(key), bytes(String.valueOf(timeToLive)), RedisKeys.expiringEntry(map, key))));
        return (Long) changed == 1;
    }

    /** See {@link StoreBackend#remove}. */
    StoredEntry remove(String map, String key, long expectedVersion) {
        Object removed = calls.call("remove key '" + key + "' of map '" + map + "'", jedis -> Scripts.REMOVE.run(jedis,
                List.of(keys.map(map), keys.entryCount(), keys.expiringEntries(), keys.version(), keys.changes()),
                List.of(bytes(key), expectedVersion == StoreBackend.ANY ? ANY_BYTES : bytes(String.valueOf(expectedVersion)),
                        RedisKeys.expiringEntry(map, key))));
        return removed == null ? null : entry((List<?>) removed);
    }

    /** See {@link StoreBackend#forEachKey}: fields whose deadline had come by the server's clock when the walk began are left out. */
    void forEachKey(String map, Consumer<String> action) {
        // Collected first, so no connection is held while the caller's action runs.
        List<String> names = calls.call("list map '" + map + "'", jedis -> {
            List<String> time = jedis.time();
            long now = Long.parseLong(time.get(0)) * 1000 + Long.parseLong(time.get(1)) / 1000;
            List<String> found = new ArrayList<>();
            ScanParams params = new ScanParams().count(500);
            byte[] cursor = ScanParams.SCAN_POINTER_START_BINARY;
            do {
                ScanResult<Map.Entry<byte[], byte[]>> page = jedis.hscan(keys.map(map), cursor, params);
                for (Map.Entry<byte[], byte[]> entry : page.getResult()) {
                    long deadline = deadline(entry.getValue());
                    if (deadline == NONE || deadline > now) {
                        found.add(string(entry.getKey()));
                    }
                }
                cursor = page.getCursorAsBytes();
            } while (!Arrays.equals(cursor, ScanParams.SCAN_POINTER_START_BINARY));
            return found;
        });
        new HashSet<>(names).forEach(action); // HSCAN may return a key twice while the hash is rehashed
    }

    /**
     * The names of the maps with a live entry: the map hashes under the prefix (SCAN), less those
     * whose every field has expired by the server's clock (not yet swept).
     */
    Set<String> mapNames() {
        String mapPrefix = string(keys.mapPrefix());
        List<String> hashes = calls.call("list the maps", jedis -> {
            List<String> found = new ArrayList<>();
            ScanParams params = new ScanParams().match(bytes(globEscaped(mapPrefix) + "*")).count(500);
            byte[] cursor = ScanParams.SCAN_POINTER_START_BINARY;
            do {
                ScanResult<byte[]> page = jedis.scan(cursor, params, bytes("hash"));
                for (byte[] key : page.getResult()) {
                    found.add(string(key).substring(mapPrefix.length()));
                }
                cursor = page.getCursorAsBytes();
            } while (!Arrays.equals(cursor, ScanParams.SCAN_POINTER_START_BINARY));
            return found;
        });
        Set<String> names = new HashSet<>(); // SCAN may return a key twice
        for (String map : hashes) {
            if (!names.contains(map) && hasLiveEntry(map)) {
                names.add(map);
            }
        }
        return names;
    }

    /** Whether the map's hash has a field whose deadline has not come by the server's clock. */
    private boolean hasLiveEntry(String map) {
        return calls.call("list map '" + map + "'", jedis -> {
            List<String> time = jedis.time();
            long now = Long.parseLong(time.get(0)) * 1000 + Long.parseLong(time.get(1)) / 1000;
            ScanParams params = new ScanParams().count(500);
            byte[] cursor = ScanParams.SCAN_POINTER_START_BINARY;
            do {
                ScanResult<Map.Entry<byte[], byte[]>> page = jedis.hscan(keys.map(map), cursor, params);
                for (Map.Entry<byte[], byte[]> entry : page.getResult()) {
                    long deadline = deadline(entry.getValue());
                    if (deadline == NONE || deadline > now) {
                        return true;
                    }
                }
                cursor = page.getCursorAsBytes();
            } while (!Arrays.equals(cursor, ScanParams.SCAN_POINTER_START_BINARY));
            return false;
        });
    }

    /** Text that a SCAN pattern matches literally. */
    private static String globEscaped(String text) {
        return text.replaceAll("([\\\\*?\\[\\]^])", "\\\\$1");
    }

    /** An entry as READ and REMOVE return it: {"version[/deadline]:json", ms left or -1}. */
    private static StoredEntry entry(List<?> reply) {
        byte[] raw = (byte[]) reply.get(0);
        int colon = colon(raw);
        int slash = 0;
        while (slash < colon && raw[slash] != '/') {
            slash++;
        }
        long version = Long.parseLong(new String(raw, 0, slash, StandardCharsets.US_ASCII));
        return new StoredEntry(version, Arrays.copyOfRange(raw, colon + 1, raw.length), Deadlines.expiresAt((Long) reply.get(1)));
    }

    /** The deadline in a field's value, ms of the server's clock, or {@link #NONE}. */
    private static long deadline(byte[] raw) {
        int colon = colon(raw);
        for (int i = 0; i < colon; i++) {
            if (raw[i] == '/') {
                return Long.parseLong(new String(raw, i + 1, colon - i - 1, StandardCharsets.US_ASCII));
            }
        }
        return NONE;
    }

    private static int colon(byte[] raw) {
        int colon = 0;
        while (raw[colon] != ':') {
            colon++;
        }
        return colon;
    }
}
