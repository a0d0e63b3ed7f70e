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
import java.util.Map;
import java.util.function.Consumer;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * The store's map entries: one hash per map, field = key, value = "version:json"; writes and
 * removes are Lua scripts, so the version check and the entry count move with them. Thread-safe.
 */
final class RedisEntries {
    private static final byte[] ANY_BYTES = bytes(String.valueOf(StoreBackend.ANY));

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
        byte[] raw = calls.call("read key '" + key + "' of map '" + map + "'", jedis -> jedis.hget(keys.map(map), bytes(key)));
        return raw == null ? null : entry(raw);
    }

    /** See {@link StoreBackend#write}; throws {@link StoreFullException} when a new key would pass maxEntries. */
    long write(String map, String key, long expectedVersion, byte[] json) {
        Object result = calls.call("write key '" + key + "' of map '" + map + "'", jedis -> Scripts.WRITE.run(jedis,
                List.of(keys.map(map), keys.version(), keys.entryCount()),
                List.of(bytes(key), bytes(String.valueOf(expectedVersion)), json, bytes(String.valueOf(settings.maxEntries())))));
        long version = (Long) result;
        if (version < 0) {
            throw new StoreFullException("store is full: it holds " + -version + " entries, its capacity is "
                    + settings.maxEntries() + " (maxEntries) in " + settings.location());
        }
        return version;
    }

    /** See {@link StoreBackend#remove}. */
    StoredEntry remove(String map, String key, long expectedVersion) {
        Object removed = calls.call("remove key '" + key + "' of map '" + map + "'", jedis -> Scripts.REMOVE.run(jedis,
                List.of(keys.map(map), keys.entryCount()),
                List.of(bytes(key), expectedVersion == StoreBackend.ANY ? ANY_BYTES : bytes(String.valueOf(expectedVersion)))));
        return removed == null ? null : entry((byte[]) removed);
    }

    /** See {@link StoreBackend#forEachKey}. */
    void forEachKey(String map, Consumer<String> action) {
        // Collected first, so no connection is held while the caller's action runs.
        List<String> names = calls.call("list map '" + map + "'", jedis -> {
            List<String> found = new ArrayList<>();
            ScanParams params = new ScanParams().count(500);
            byte[] cursor = ScanParams.SCAN_POINTER_START_BINARY;
            do {
                ScanResult<Map.Entry<byte[], byte[]>> page = jedis.hscan(keys.map(map), cursor, params);
                page.getResult().forEach(entry -> found.add(string(entry.getKey())));
                cursor = page.getCursorAsBytes();
            } while (!Arrays.equals(cursor, ScanParams.SCAN_POINTER_START_BINARY));
            return found;
        });
        new HashSet<>(names).forEach(action); // HSCAN may return a key twice while the hash is rehashed
    }

    private static StoredEntry entry(byte[] raw) {
        int colon = 0;
        while (raw[colon] != ':') {
            colon++;
        }
        long version = Long.parseLong(new String(raw, 0, colon, StandardCharsets.US_ASCII));
        return new StoredEntry(version, Arrays.copyOfRange(raw, colon + 1, raw.length), StoreBackend.NO_EXPIRY);
    }
}
