package io.hearth.redis;

import io.hearth.BroadcastMessage;
import io.hearth.BroadcastResult;
import io.hearth.StoreStats;
import io.hearth.WorkerInfo;
import io.hearth.spi.BackendLimits;
import io.hearth.spi.CounterCell;
import io.hearth.spi.Heartbeat;
import io.hearth.spi.StoreBackend;
import io.hearth.spi.StoredEntry;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * A store in Redis, its keys laid out in {@link RedisKeys}. Each open store is one worker of the
 * registry ({@link RedisWorkers}); once delivery starts it runs three daemon threads: the
 * heartbeat (which also sweeps what has expired, {@link RedisSweep}), the broadcast delivery loop
 * and the pub/sub listener that wakes it.
 */
final class RedisBackend implements StoreBackend {
    private final RedisSettings settings;
    private final RedisKeys keys;
    private final RedisCalls calls;
    private final RedisCounters counters;
    private final RedisEntries entries;
    private final RedisWorkers workers;
    private final RedisBroadcasts broadcasts;
    private final RedisSweep sweep;
    private final RedisChangeLog changes;
    private final long startAfter;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Heartbeat heartbeat;

    private RedisBackend(RedisSettings settings) {
        this.settings = settings;
        this.keys = new RedisKeys(settings.prefix());
        this.calls = new RedisCalls(settings);
        this.counters = new RedisCounters(settings, keys, calls);
        this.entries = new RedisEntries(settings, keys, calls);
        this.workers = new RedisWorkers(settings.location(), keys, calls);
        this.broadcasts = new RedisBroadcasts(settings.location(), keys, calls, workers);
        this.sweep = new RedisSweep(keys, calls);
        this.changes = new RedisChangeLog(keys, calls);
        try {
            this.startAfter = workers.attach();
        } catch (RuntimeException e) {
            calls.close();
            throw e;
        }
    }

    /** Connects, registers this process as a worker, and fails with the host and port when Redis cannot be reached. */
    static RedisBackend open(RedisSettings settings) {
        return new RedisBackend(settings);
    }

    @Override
    public BackendLimits limits() {
        return settings.limits();
    }

    @Override
    public String location() {
        return settings.location();
    }

    @Override
    public boolean countersNeverBlock() {
        return false;
    }

    @Override
    public long lockLeaseMillis() {
        return settings.lease().toMillis();
    }

    @Override
    public CounterCell counter(String name, long timeToLiveMillis) {
        return counters.counter(name, timeToLiveMillis);
    }

    @Override
    public boolean removeCounter(String name) {
        return counters.remove(name);
    }

    @Override
    public CounterCell findCounter(String name) {
        return counters.find(name);
    }

    @Override
    public Set<String> counterNames() {
        return counters.liveNames();
    }

    @Override
    public Set<String> mapNames() {
        return entries.mapNames();
    }

    @Override
    public StoredEntry get(String map, String key) {
        return entries.get(map, key);
    }

    /**
     * False: no read cache on Redis. Checking an entry's version is a round trip, as reading it is,
     * so a cache would save only the JSON decoding, under 1% of the call; and the version sequence is
     * a key that a FLUSHDB, or a restart without persistence, resets, after which versions repeat and
     * no longer prove a cached value current.
     */
    @Override
    public boolean supportsReadCache() {
        return false;
    }

    @Override
    public long write(String map, String key, long expectedVersion, byte[] json, long expiresAt) {
        return entries.write(map, key, expectedVersion, json, expiresAt);
    }

    @Override
    public boolean expire(String map, String key, long expiresAt) {
        return entries.expire(map, key, expiresAt);
    }

    @Override
    public StoredEntry remove(String map, String key, long expectedVersion) {
        return entries.remove(map, key, expectedVersion);
    }

    @Override
    public void forEachKey(String map, Consumer<String> action) {
        entries.forEachKey(map, action);
    }

    @Override
    public List<WorkerInfo> workers() {
        return workers.live().stream().map(RedisWorkers.Worker::info).toList();
    }

    @Override
    public BroadcastResult broadcast(String topic, String payload, Duration waitForAcks) {
        return broadcasts.broadcast(topic, payload, waitForAcks);
    }

    @Override
    public void startDelivery(Consumer<BroadcastMessage> sink) {
        heartbeat = Heartbeat.start(location(), RedisWorkers.HEARTBEAT_INTERVAL, this::beat);
        broadcasts.startDelivery(startAfter, sink);
    }

    /** One beat of the heartbeat thread: this worker's heartbeat, then a sweep of what has expired. */
    private void beat() {
        workers.beat();
        sweep.sweepDue();
    }

    /** The counts after a sweep, so they leave out what has expired (unless more than a sweep's batch expired at once). */
    @Override
    public StoreStats stats() {
        RedisSweep.Counts counts = sweep.run();
        long capacity = settings.maxEntries() == 0 ? Long.MAX_VALUE : settings.maxEntries();
        int counterCapacity = settings.maxCounters() == 0 ? Integer.MAX_VALUE : settings.maxCounters();
        BackendLimits limits = settings.limits();
        return new StoreStats(counts.entries(), capacity, counts.counters(), counterCapacity, 0, limits.maxKeyBytes(),
                limits.maxValueBytes(), limits.maxBroadcastBytes(), Integer.MAX_VALUE, 0, 1);
    }

    /** Stops delivery, the listener and the heartbeat, unregisters the worker, then closes the pool. */
    @Override
    public io.hearth.spi.ChangeLog changeLog() {
        return changes;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        broadcasts.close();
        Heartbeat beating = heartbeat;
        if (beating != null) {
            beating.close();
        }
        try {
            workers.detach();
        } finally {
            calls.close();
        }
    }
}
