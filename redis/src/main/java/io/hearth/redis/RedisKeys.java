package io.hearth.redis;

import static io.hearth.redis.RedisCalls.bytes;

/**
 * Every key name of one store, built from its prefix (default {@code hearth:}) here and nowhere else:
 *
 * <pre>
 *  PREFIX c:NAME                counter, a decimal string (INCRBY, SET, GET, compare-and-set in Lua); PEXPIRE'd when it expires
 *  PREFIX counters              set of counter names in use (an expired counter's until a sweep)
 *  PREFIX expiring-counters     sorted set: name of a counter with an expiry -> its deadline, ms of the server's clock
 *  PREFIX m:MAP                 hash of one map: field = key, value = "version:json" or "version/deadline:json"
 *  PREFIX expiring-entries      sorted set: "MAP NUL KEY" of an entry with an expiry -> its deadline, ms of the server's clock
 *  PREFIX version               the store-wide version sequence (INCR in the write script)
 *  PREFIX entries               number of hash fields over all maps (an expired entry's until a sweep)
 *  PREFIX workers               sorted set: worker id -> last heartbeat, ms of the server's clock
 *  PREFIX worker-info           hash: worker id -> "pid processStart hostId attachedMs"
 *  PREFIX broadcast:seq         the broadcast sequence
 *  PREFIX epoch                 random, set by the first worker: when it changes, Redis lost the store's data
 *  PREFIX broadcast:msg:SEQ     hash of one message (topic, payload, sender, pid, at), expires after a minute
 *  PREFIX broadcast:ack:SEQ     set of the worker ids that acknowledged it, expires likewise
 *  channel PREFIX broadcast     pub/sub: each new sequence, to wake the delivery threads
 * </pre>
 *
 * <p>The arrays returned are shared: callers pass them to Redis and never change them.
 */
final class RedisKeys {
    private final String prefix;
    private final byte[] counterNames;
    private final byte[] expiringCounters;
    private final byte[] expiringEntries;
    private final byte[] counterPrefix;
    private final byte[] mapPrefix;
    private final byte[] version;
    private final byte[] entryCount;
    private final byte[] heartbeats;
    private final byte[] workerInfo;
    private final byte[] broadcastSequence;
    private final byte[] epoch;
    private final String messagePrefix;
    private final String ackPrefix;
    private final byte[] channel;

    RedisKeys(String prefix) {
        this.prefix = prefix;
        this.counterNames = bytes(prefix + "counters");
        this.expiringCounters = bytes(prefix + "expiring-counters");
        this.expiringEntries = bytes(prefix + "expiring-entries");
        this.counterPrefix = bytes(prefix + "c:");
        this.mapPrefix = bytes(prefix + "m:");
        this.version = bytes(prefix + "version");
        this.entryCount = bytes(prefix + "entries");
        this.heartbeats = bytes(prefix + "workers");
        this.workerInfo = bytes(prefix + "worker-info");
        this.broadcastSequence = bytes(prefix + "broadcast:seq");
        this.epoch = bytes(prefix + "epoch");
        this.messagePrefix = prefix + "broadcast:msg:";
        this.ackPrefix = prefix + "broadcast:ack:";
        this.channel = bytes(prefix + "broadcast");
    }

    byte[] counter(String name) {
        return bytes(prefix + "c:" + name);
    }

    byte[] counterNames() {
        return counterNames;
    }

    byte[] map(String map) {
        return bytes(prefix + "m:" + map);
    }

    /** What {@link #counter} puts before the name, for the sweep. */
    byte[] counterPrefix() {
        return counterPrefix;
    }

    /** What {@link #map} puts before the map name, for the sweep. */
    byte[] mapPrefix() {
        return mapPrefix;
    }

    byte[] expiringCounters() {
        return expiringCounters;
    }

    byte[] expiringEntries() {
        return expiringEntries;
    }

    /** An entry's member in {@link #expiringEntries}: map NUL key (map names never contain NUL). */
    static byte[] expiringEntry(String map, String key) {
        return bytes(map + '\0' + key);
    }

    byte[] version() {
        return version;
    }

    /** The change stream ({@link RedisChangeLog}): an entry per write and removal, its id the version. */
    byte[] changes() {
        return bytes(prefix + "changes");
    }

    byte[] entryCount() {
        return entryCount;
    }

    byte[] heartbeats() {
        return heartbeats;
    }

    byte[] workerInfo() {
        return workerInfo;
    }

    byte[] broadcastSequence() {
        return broadcastSequence;
    }

    byte[] epoch() {
        return epoch;
    }

    /** What the publish script puts before the sequence it takes. */
    byte[] messagePrefix() {
        return bytes(messagePrefix);
    }

    byte[] message(long sequence) {
        return bytes(messagePrefix + sequence);
    }

    byte[] acks(long sequence) {
        return bytes(ackPrefix + sequence);
    }

    byte[] channel() {
        return channel;
    }
}
