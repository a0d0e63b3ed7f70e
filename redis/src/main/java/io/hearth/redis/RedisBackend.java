package io.hearth.redis;

import io.hearth.BroadcastMessage;
import io.hearth.BroadcastResult;
import io.hearth.HearthException;
import io.hearth.StoreUnavailableException;
import io.hearth.StoreFullException;
import io.hearth.StoreStats;
import io.hearth.WorkerInfo;
import io.hearth.spi.BackendLimits;
import io.hearth.spi.CounterCell;
import io.hearth.spi.StoreBackend;
import io.hearth.spi.StoredEntry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Function;
import redis.clients.jedis.BinaryJedisPubSub;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.JedisPoolConfig;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * A store in Redis. Every key starts with the store's prefix (default {@code hearth:}):
 *
 * <pre>
 *  PREFIX c:NAME                counter, a decimal string (INCRBY, SET, GET, compare-and-set in Lua)
 *  PREFIX counters              set of counter names in use
 *  PREFIX m:MAP                 hash of one map: field = key, value = "version:json"
 *  PREFIX version               the store-wide version sequence (INCR in the write script)
 *  PREFIX entries               number of entries over all maps
 *  PREFIX workers               sorted set: worker id -> last heartbeat, ms of the server's clock
 *  PREFIX worker-info           hash: worker id -> "pid processStart hostId attachedMs"
 *  PREFIX broadcast:seq         the broadcast sequence
 *  PREFIX epoch                 random, set by the first worker: when it changes, Redis lost the store's data
 *  PREFIX broadcast:msg:SEQ     hash of one message (topic, payload, sender, pid, at), expires after a minute
 *  PREFIX broadcast:ack:SEQ     set of the worker ids that acknowledged it, expires likewise
 *  channel PREFIX broadcast     pub/sub: each new sequence, to wake the delivery threads
 * </pre>
 *
 * <p>Each open store is one worker with a random id; its delivery thread beats every second and
 * the registry drops a worker whose beat is older than {@link #WORKER_EXPIRY}. A worker on this
 * host (same host name and boot id) whose process is gone is dropped at once.
 */
final class RedisBackend implements StoreBackend {
    static final Duration HEARTBEAT_INTERVAL = Duration.ofSeconds(1);
    static final Duration WORKER_EXPIRY = Duration.ofSeconds(10);
    static final Duration BROADCAST_RETENTION = Duration.ofMinutes(1);
    private static final System.Logger LOG = System.getLogger(RedisBackend.class.getName());
    private static final byte[] ANY_BYTES = bytes(String.valueOf(ANY));

    private final RedisSettings settings;
    private final HostAndPort address;
    private final JedisClientConfig clientConfig;
    private final JedisPool pool;
    private final String workerId = randomId();
    private final long pid = ProcessHandle.current().pid();
    private final long processStart = startMillis(ProcessHandle.current());
    private final String hostId = hostId();
    private final long startAfter;
    private volatile String epoch;
    /** Set when a registration found another epoch than the one before: Redis lost the data. */
    private volatile boolean lostData;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Semaphore wake = new Semaphore(0);
    private final byte[] versionKey;
    private final byte[] entryCountKey;
    private final byte[] countersKey;
    private final byte[] workersKey;
    private final byte[] workerInfoKey;
    private final byte[] broadcastSequenceKey;
    private final byte[] epochKey;
    private final String messagePrefix;
    private final String ackPrefix;
    private final String channel;
    private volatile Thread agent;
    private volatile Thread subscriber;
    private volatile Jedis subscriberConnection;

    private RedisBackend(RedisSettings settings) {
        this.settings = settings;
        String prefix = settings.prefix();
        this.versionKey = bytes(prefix + "version");
        this.entryCountKey = bytes(prefix + "entries");
        this.countersKey = bytes(prefix + "counters");
        this.workersKey = bytes(prefix + "workers");
        this.workerInfoKey = bytes(prefix + "worker-info");
        this.broadcastSequenceKey = bytes(prefix + "broadcast:seq");
        this.epochKey = bytes(prefix + "epoch");
        this.messagePrefix = prefix + "broadcast:msg:";
        this.ackPrefix = prefix + "broadcast:ack:";
        this.channel = prefix + "broadcast";
        this.address = new HostAndPort(settings.host(), settings.port());
        this.clientConfig = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(millis(settings.connectTimeout()))
                .socketTimeoutMillis(millis(settings.timeout()))
                .user(settings.user())
                .password(settings.password())
                .database(settings.database())
                .clientName("hearth-" + pid)
                .build();
        JedisPoolConfig poolConfig = new JedisPoolConfig();
        poolConfig.setMaxTotal(settings.poolSize());
        poolConfig.setMaxIdle(settings.poolSize());
        poolConfig.setMinIdle(0);
        poolConfig.setBlockWhenExhausted(true);
        poolConfig.setMaxWait(settings.timeout());
        poolConfig.setJmxEnabled(false);
        this.pool = new JedisPool(poolConfig, address, clientConfig);
        try {
            this.startAfter = attach();
        } catch (RuntimeException e) {
            pool.close();
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

    // ---------------------------------------------------------------- counters

    @Override
    public CounterCell counter(String name) {
        Object registered = call("create counter '" + name + "'", jedis -> Scripts.REGISTER_COUNTER.run(jedis,
                List.of(countersKey), List.of(bytes(name), bytes(String.valueOf(settings.maxCounters())))));
        if ((Long) registered < 0) {
            throw new StoreFullException("no room for counter '" + name + "': all " + settings.maxCounters()
                    + " counter slots are in use (maxCounters=" + settings.maxCounters() + ") in " + location());
        }
        return new RedisCounter(bytes(settings.prefix() + "c:" + name), name);
    }

    @Override
    public CounterCell findCounter(String name) {
        boolean known = call("find counter '" + name + "'", jedis -> jedis.sismember(countersKey, bytes(name)));
        return known ? new RedisCounter(bytes(settings.prefix() + "c:" + name), name) : null;
    }

    private final class RedisCounter implements CounterCell {
        private final byte[] key;
        private final String name;

        RedisCounter(byte[] key, String name) {
            this.key = key;
            this.name = name;
        }

        @Override
        public long get() {
            byte[] value = call("read counter '" + name + "'", jedis -> jedis.get(key));
            return value == null ? 0 : Long.parseLong(string(value));
        }

        @Override
        public void set(long value) {
            call("set counter '" + name + "'", jedis -> jedis.set(key, bytes(Long.toString(value))));
        }

        @Override
        public long getAndAdd(long delta) {
            try {
                return call("add to counter '" + name + "'", jedis -> jedis.incrBy(key, delta)) - delta;
            } catch (HearthException e) {
                if (!(e.getCause() instanceof JedisDataException) || !String.valueOf(e.getCause().getMessage()).contains("overflow")) {
                    throw e;
                }
            }
            // INCRBY refuses to overflow; wrap around as AtomicLong does, by compare-and-set.
            for (int attempt = 0; ; attempt++) {
                long current = get();
                if (compareAndSet(current, current + delta)) {
                    return current;
                }
                LockSupport.parkNanos(Math.min(1_000_000L, 1_000L << Math.min(attempt, 10)));
            }
        }

        @Override
        public boolean compareAndSet(long expected, long update) {
            Object set = call("compare-and-set counter '" + name + "'", jedis -> Scripts.COUNTER_CAS.run(jedis,
                    List.of(key), List.of(bytes(Long.toString(expected)), bytes(Long.toString(update)))));
            return (Long) set == 1;
        }
    }

    // ---------------------------------------------------------------- map entries

    private byte[] mapKey(String map) {
        return bytes(settings.prefix() + "m:" + map);
    }

    @Override
    public StoredEntry get(String map, String key) {
        byte[] raw = call("read key '" + key + "' of map '" + map + "'", jedis -> jedis.hget(mapKey(map), bytes(key)));
        return raw == null ? null : entry(raw);
    }

    @Override
    public long write(String map, String key, long expectedVersion, byte[] json) {
        Object result = call("write key '" + key + "' of map '" + map + "'", jedis -> Scripts.WRITE.run(jedis,
                List.of(mapKey(map), versionKey, entryCountKey),
                List.of(bytes(key), bytes(String.valueOf(expectedVersion)), json, bytes(String.valueOf(settings.maxEntries())))));
        long version = (Long) result;
        if (version < 0) {
            throw new StoreFullException("store is full: it holds " + -version + " entries, its capacity is "
                    + settings.maxEntries() + " (maxEntries) in " + location());
        }
        return version;
    }

    @Override
    public StoredEntry remove(String map, String key, long expectedVersion) {
        Object removed = call("remove key '" + key + "' of map '" + map + "'", jedis -> Scripts.REMOVE.run(jedis,
                List.of(mapKey(map), entryCountKey),
                List.of(bytes(key), expectedVersion == ANY ? ANY_BYTES : bytes(String.valueOf(expectedVersion)))));
        return removed == null ? null : entry((byte[]) removed);
    }

    @Override
    public void forEachKey(String map, Consumer<String> action) {
        // Collected first, so no connection is held while the caller's action runs.
        List<String> keys = call("list map '" + map + "'", jedis -> {
            List<String> found = new ArrayList<>();
            ScanParams params = new ScanParams().count(500);
            byte[] cursor = ScanParams.SCAN_POINTER_START_BINARY;
            do {
                ScanResult<java.util.Map.Entry<byte[], byte[]>> page = jedis.hscan(mapKey(map), cursor, params);
                page.getResult().forEach(entry -> found.add(string(entry.getKey())));
                cursor = page.getCursorAsBytes();
            } while (!Arrays.equals(cursor, ScanParams.SCAN_POINTER_START_BINARY));
            return found;
        });
        new HashSet<>(keys).forEach(action); // HSCAN may return a key twice while the hash is rehashed
    }

    private static StoredEntry entry(byte[] raw) {
        int colon = 0;
        while (raw[colon] != ':') {
            colon++;
        }
        long version = Long.parseLong(new String(raw, 0, colon, StandardCharsets.US_ASCII));
        return new StoredEntry(version, Arrays.copyOfRange(raw, colon + 1, raw.length));
    }

    // ---------------------------------------------------------------- workers

    /** One registered worker as read at one instant. */
    private record Worker(String id, long pid, long processStart, String hostId, long attachedMillis, long heartbeatMillis) {
        WorkerInfo info() {
            return new WorkerInfo(pid, Instant.ofEpochMilli(attachedMillis), Instant.ofEpochMilli(heartbeatMillis));
        }
    }

    /** Registers this worker; returns the broadcast sequence at that instant and notes the store's epoch. */
    private long attach() {
        String candidate = randomId();
        List<?> reply = (List<?>) call("register worker", jedis -> Scripts.ATTACH.run(jedis, List.of(workersKey,
                workerInfoKey, broadcastSequenceKey, epochKey), List.of(bytes(workerId),
                bytes(pid + " " + processStart + " " + hostId), bytes(candidate))));
        String before = epoch;
        epoch = string((byte[]) reply.get(1));
        if (before != null && !before.equals(epoch)) {
            lostData = true;
        }
        return (Long) reply.get(0);
    }

    @Override
    public List<WorkerInfo> workers() {
        return liveWorkers().stream().map(Worker::info).toList();
    }

    /** Workers with a fresh heartbeat, less those of this host whose process is gone (removed on the way). */
    private List<Worker> liveWorkers() {
        Object reply = call("list workers", jedis -> Scripts.LIVE_WORKERS.run(jedis, List.of(workersKey, workerInfoKey),
                List.of(bytes(String.valueOf(WORKER_EXPIRY.toMillis())))));
        List<?> flat = (List<?>) reply;
        List<Worker> live = new ArrayList<>();
        List<byte[]> gone = new ArrayList<>();
        for (int i = 0; i + 2 < flat.size(); i += 3) {
            String id = string((byte[]) flat.get(i));
            long heartbeat = (long) Double.parseDouble(string((byte[]) flat.get(i + 1)));
            String[] info = string((byte[]) flat.get(i + 2)).split(" ");
            Worker worker = new Worker(id, Long.parseLong(info[0]), Long.parseLong(info[1]), info[2],
                    Long.parseLong(info[3]), heartbeat);
            if (worker.hostId().equals(hostId) && !isAlive(worker.pid(), worker.processStart())) {
                gone.add(bytes(id));
            } else {
                live.add(worker);
            }
        }
        if (!gone.isEmpty()) {
            call("drop dead workers", jedis -> Scripts.DETACH.run(jedis, List.of(workersKey, workerInfoKey), gone));
        }
        return live;
    }

    // ---------------------------------------------------------------- broadcasts

    @Override
    public BroadcastResult broadcast(String topic, String payload, Duration waitForAcks) {
        List<Worker> recipients = liveWorkers();
        long sequence = (Long) call("broadcast on topic '" + topic + "'", jedis -> Scripts.PUBLISH.run(jedis,
                List.of(broadcastSequenceKey), List.of(bytes(messagePrefix), bytes(topic), bytes(payload), bytes(workerId),
                        bytes(String.valueOf(pid)), bytes(String.valueOf(BROADCAST_RETENTION.toMillis())), bytes(channel))));
        wake.release();
        byte[] ackKey = bytes(ackPrefix + sequence);
        long deadline = System.nanoTime() + waitForAcks.toNanos();
        boolean mayWait = Thread.currentThread() != agent;
        for (int round = 0; ; round++) {
            Set<String> acked = new HashSet<>();
            call("read acknowledgements", jedis -> jedis.smembers(ackKey)).forEach(id -> acked.add(string(id)));
            List<Worker> waitingFor = recipients.stream().filter(w -> !acked.contains(w.id())).toList();
            if (!waitingFor.isEmpty()) {
                Set<String> stillLive = new HashSet<>();
                liveWorkers().forEach(w -> stillLive.add(w.id()));
                waitingFor = waitingFor.stream().filter(w -> stillLive.contains(w.id())).toList();
            }
            if (waitingFor.isEmpty() || !mayWait || System.nanoTime() - deadline >= 0) {
                List<Long> ackedPids = recipients.stream().filter(w -> acked.contains(w.id())).map(Worker::pid).toList();
                List<Long> missingPids = waitingFor.stream().map(Worker::pid).toList();
                return new BroadcastResult(topic, sequence, ackedPids, missingPids);
            }
            LockSupport.parkNanos(Math.min(deadline - System.nanoTime(), Math.min(20_000_000L, 500_000L << Math.min(round, 5))));
        }
    }

    @Override
    public void startDelivery(Consumer<BroadcastMessage> sink) {
        Thread delivery = new Thread(() -> runAgent(sink), "hearth-redis-agent " + settings.address());
        delivery.setDaemon(true);
        agent = delivery;
        Thread listener = new Thread(this::runSubscriber, "hearth-redis-subscriber " + settings.address());
        listener.setDaemon(true);
        subscriber = listener;
        delivery.start();
        listener.start();
    }

    /** Beats every second; delivers broadcasts in sequence order and acknowledges each after the sink returned. */
    private void runAgent(Consumer<BroadcastMessage> sink) {
        long next = startAfter + 1;
        long pendingAck = 0;
        long nextHeartbeat = System.nanoTime();
        boolean failing = false;
        while (!closed.get()) {
            try {
                if (System.nanoTime() - nextHeartbeat >= 0) {
                    nextHeartbeat = System.nanoTime() + HEARTBEAT_INTERVAL.toNanos();
                    heartbeat();
                }
                if (pendingAck != 0) {
                    acknowledge(pendingAck);
                    pendingAck = 0;
                }
                List<byte[]> state = call("read the broadcast sequence", jedis -> jedis.mget(broadcastSequenceKey, epochKey));
                long tail = state.get(0) == null ? 0 : Long.parseLong(string(state.get(0)));
                if (!lostData && (state.get(1) == null || !string(state.get(1)).equals(epoch))) {
                    attach();
                }
                if (lostData) {
                    lostData = false;
                    LOG.log(System.Logger.Level.WARNING, "Redis lost the data of " + location() + " (restarted without "
                            + "persistence, or flushed?); worker " + workerId + " registered again and delivers the "
                            + "broadcasts sent since, from sequence 1");
                    next = 1;
                    pendingAck = 0;
                    continue;
                }
                while (!closed.get() && next <= tail) {
                    BroadcastMessage message = readMessage(next);
                    if (message != null) {
                        sink.accept(message);
                    } else {
                        LOG.log(System.Logger.Level.WARNING, "broadcast " + next + " of " + location()
                                + " expired before this process read it (retention " + BROADCAST_RETENTION + ")");
                    }
                    pendingAck = next++;
                    acknowledge(pendingAck);
                    pendingAck = 0;
                }
                if (failing) {
                    LOG.log(System.Logger.Level.INFO, "Redis at " + settings.address() + " answers again");
                    failing = false;
                }
            } catch (HearthException e) {
                if (!failing) {
                    LOG.log(System.Logger.Level.WARNING, "worker " + workerId + " cannot reach its store: " + e.getMessage()
                            + "; retrying every " + HEARTBEAT_INTERVAL.toSeconds() + " s");
                    failing = true;
                }
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "delivery thread of " + location() + " failed; retrying", e);
            }
            try {
                if (wake.tryAcquire(Math.max(0, nextHeartbeat - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    wake.drainPermits();
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void heartbeat() {
        Object registered = call("heartbeat", jedis -> Scripts.HEARTBEAT.run(jedis, List.of(workersKey, workerInfoKey),
                List.of(bytes(workerId))));
        if ((Long) registered == 0) {
            LOG.log(System.Logger.Level.WARNING, "worker " + workerId + " (pid " + pid + ") had dropped out of the registry of "
                    + location() + " (no heartbeat for " + WORKER_EXPIRY.toSeconds() + " s, or Redis lost its data); registering again");
            attach();
        }
    }

    private void acknowledge(long sequence) {
        call("acknowledge broadcast " + sequence, jedis -> Scripts.ACK.run(jedis, List.of(bytes(ackPrefix + sequence)),
                List.of(bytes(workerId), bytes(String.valueOf(BROADCAST_RETENTION.toMillis())))));
    }

    private BroadcastMessage readMessage(long sequence) {
        List<byte[]> fields = call("read broadcast " + sequence, jedis -> jedis.hmget(bytes(messagePrefix + sequence),
                bytes("topic"), bytes("payload"), bytes("pid"), bytes("at")));
        if (fields.get(0) == null) {
            return null;
        }
        return new BroadcastMessage(string(fields.get(0)), string(fields.get(1)), sequence,
                Long.parseLong(string(fields.get(2))), Instant.ofEpochMilli(Long.parseLong(string(fields.get(3)))));
    }

    /** Listens on the channel to wake the delivery thread at once; reconnects after failures until closed. */
    private void runSubscriber() {
        long backoffMillis = 100;
        while (!closed.get()) {
            try (Jedis connection = new Jedis(address, clientConfig)) {
                subscriberConnection = connection;
                if (closed.get()) {
                    return;
                }
                connection.subscribe(new BinaryJedisPubSub() {
                    @Override
                    public void onSubscribe(byte[] subscribed, int count) {
                        wake.release(); // messages sent while unsubscribed are read from Redis now
                    }

                    @Override
                    public void onMessage(byte[] from, byte[] message) {
                        wake.release();
                    }
                }, bytes(channel));
                backoffMillis = 100;
            } catch (JedisException | IllegalStateException e) {
                if (closed.get()) {
                    return;
                }
                LockSupport.parkNanos(Duration.ofMillis(backoffMillis).toNanos());
                backoffMillis = Math.min(1_000, backoffMillis * 2);
            } finally {
                subscriberConnection = null;
            }
        }
    }

    // ---------------------------------------------------------------- stats, close

    @Override
    public StoreStats stats() {
        return call("read stats", jedis -> {
            byte[] entries = jedis.get(entryCountKey);
            long counters = jedis.scard(countersKey);
            long capacity = settings.maxEntries() == 0 ? Long.MAX_VALUE : settings.maxEntries();
            int counterCapacity = settings.maxCounters() == 0 ? Integer.MAX_VALUE : settings.maxCounters();
            return new StoreStats(entries == null ? 0 : Long.parseLong(string(entries)), capacity, (int) counters,
                    counterCapacity, 0);
        });
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        wake.release();
        Jedis listening = subscriberConnection;
        if (listening != null) {
            try {
                listening.close(); // breaks the blocking read of SUBSCRIBE
            } catch (RuntimeException ignored) {
                // closing anyway
            }
        }
        join(agent);
        join(subscriber);
        try {
            call("unregister worker", jedis -> Scripts.DETACH.run(jedis, List.of(workersKey, workerInfoKey),
                    List.of(bytes(workerId))));
        } catch (HearthException e) {
            LOG.log(System.Logger.Level.WARNING, "could not unregister worker " + workerId + " from " + location()
                    + "; its heartbeat expires within " + WORKER_EXPIRY.toSeconds() + " s: " + e.getMessage());
        } finally {
            pool.close();
        }
    }

    private static void join(Thread thread) {
        if (thread != null && thread != Thread.currentThread()) {
            try {
                thread.join(Duration.ofSeconds(5).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ---------------------------------------------------------------- plumbing

    /**
     * Runs one step on a pooled connection. A failure to reach Redis, or a reply later than the
     * timeout, becomes a {@link StoreUnavailableException} naming host and port; the pool's idle connections
     * are dropped then, so the next call connects afresh (that is how a restarted Redis is picked up).
     */
    private <T> T call(String what, Function<Jedis, T> step) {
        try (Jedis jedis = pool.getResource()) {
            return step.apply(jedis);
        } catch (JedisConnectionException e) {
            pool.clear();
            throw unreachable(what, e);
        } catch (JedisDataException e) {
            if (isTransient(e)) {
                throw unreachable(what, e);
            }
            throw new HearthException("Redis at " + settings.address() + " refused to " + what + " in " + location()
                    + ": " + e.getMessage(), e);
        } catch (JedisException e) {
            throw unreachable(what, e);
        }
    }

    /** Replies Redis gives while it cannot serve yet (loading data, no master, a script running too long): they pass. */
    private static boolean isTransient(JedisDataException e) {
        String message = String.valueOf(e.getMessage());
        return message.startsWith("LOADING") || message.startsWith("MASTERDOWN") || message.startsWith("BUSY")
                || message.startsWith("TRYAGAIN");
    }

    private StoreUnavailableException unreachable(String what, JedisException e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String why = String.valueOf(e.getMessage());
        if (root != e && !why.contains(String.valueOf(root.getMessage()))) {
            why += " (" + root + ")";
        }
        return new StoreUnavailableException("cannot " + what + ": Redis at " + settings.address() + " (" + location()
                + ") is unreachable or did not answer within " + settings.timeout().toMillis() + " ms (connect timeout "
                + settings.connectTimeout().toMillis() + " ms, pool of " + settings.poolSize() + "): " + why, e);
    }

    private static String randomId() {
        byte[] random = new byte[8];
        new SecureRandom().nextBytes(random);
        return HexFormat.of().formatHex(random);
    }

    private static int millis(Duration duration) {
        return (int) Math.min(Integer.MAX_VALUE, duration.toMillis());
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static String string(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static long startMillis(ProcessHandle handle) {
        return handle.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
    }

    private static boolean isAlive(long pid, long startMillis) {
        return ProcessHandle.of(pid)
                .filter(ProcessHandle::isAlive)
                .map(handle -> startMillis == 0 || startMillis(handle) == 0 || startMillis(handle) == startMillis)
                .orElse(false);
    }

    /**
     * This host, as worker entries name it: host name and kernel boot id. A worker whose entry
     * names another host is judged by its heartbeat alone, since its pid means nothing here.
     */
    static String hostId() {
        String name = read(Path.of("/proc/sys/kernel/hostname"));
        if (name == null) {
            try {
                name = java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException e) {
                name = "unknown-host";
            }
        }
        String boot = read(Path.of("/proc/sys/kernel/random/boot_id"));
        return (name + "/" + (boot == null ? "no-boot-id" : boot)).replace(' ', '_');
    }

    private static String read(Path path) {
        try {
            String text = Files.readString(path).trim();
            return text.isEmpty() ? null : text;
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
    }
}
