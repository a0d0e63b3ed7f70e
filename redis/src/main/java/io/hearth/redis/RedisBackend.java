package io.hearth.redis;

import static io.hearth.redis.RedisCalls.bytes;
import static io.hearth.redis.RedisCalls.string;

import io.hearth.BroadcastMessage;
import io.hearth.BroadcastResult;
import io.hearth.HearthException;
import io.hearth.StoreStats;
import io.hearth.WorkerInfo;
import io.hearth.spi.BackendLimits;
import io.hearth.spi.CounterCell;
import io.hearth.spi.StoreBackend;
import io.hearth.spi.StoredEntry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import redis.clients.jedis.BinaryJedisPubSub;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * A store in Redis, its keys laid out in {@link RedisKeys}.
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

    private final RedisSettings settings;
    private final RedisKeys keys;
    private final RedisCalls calls;
    private final RedisCounters counters;
    private final RedisEntries entries;
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
    private volatile Thread agent;
    private volatile Thread subscriber;
    private volatile Jedis subscriberConnection;

    private RedisBackend(RedisSettings settings) {
        this.settings = settings;
        this.keys = new RedisKeys(settings.prefix());
        this.calls = new RedisCalls(settings);
        this.counters = new RedisCounters(settings, keys, calls);
        this.entries = new RedisEntries(settings, keys, calls);
        try {
            this.startAfter = attach();
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

    // ---------------------------------------------------------------- counters, map entries

    @Override
    public CounterCell counter(String name) {
        return counters.counter(name);
    }

    @Override
    public CounterCell findCounter(String name) {
        return counters.find(name);
    }

    @Override
    public StoredEntry get(String map, String key) {
        return entries.get(map, key);
    }

    @Override
    public long write(String map, String key, long expectedVersion, byte[] json) {
        return entries.write(map, key, expectedVersion, json);
    }

    @Override
    public StoredEntry remove(String map, String key, long expectedVersion) {
        return entries.remove(map, key, expectedVersion);
    }

    @Override
    public void forEachKey(String map, Consumer<String> action) {
        entries.forEachKey(map, action);
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
        List<?> reply = (List<?>) calls.call("register worker", jedis -> Scripts.ATTACH.run(jedis, List.of(keys.heartbeats(),
                keys.workerInfo(), keys.broadcastSequence(), keys.epoch()), List.of(bytes(workerId),
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
        Object reply = calls.call("list workers", jedis -> Scripts.LIVE_WORKERS.run(jedis, List.of(keys.heartbeats(), keys.workerInfo()),
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
            calls.call("drop dead workers", jedis -> Scripts.DETACH.run(jedis, List.of(keys.heartbeats(), keys.workerInfo()), gone));
        }
        return live;
    }

    // ---------------------------------------------------------------- broadcasts

    @Override
    public BroadcastResult broadcast(String topic, String payload, Duration waitForAcks) {
        List<Worker> recipients = liveWorkers();
        long sequence = (Long) calls.call("broadcast on topic '" + topic + "'", jedis -> Scripts.PUBLISH.run(jedis,
                List.of(keys.broadcastSequence()), List.of(keys.messagePrefix(), bytes(topic), bytes(payload), bytes(workerId),
                        bytes(String.valueOf(pid)), bytes(String.valueOf(BROADCAST_RETENTION.toMillis())), keys.channel())));
        wake.release();
        byte[] ackKey = keys.acks(sequence);
        long deadline = System.nanoTime() + waitForAcks.toNanos();
        boolean mayWait = Thread.currentThread() != agent;
        for (int round = 0; ; round++) {
            Set<String> acked = new HashSet<>();
            calls.call("read acknowledgements", jedis -> jedis.smembers(ackKey)).forEach(id -> acked.add(string(id)));
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
                List<byte[]> state = calls.call("read the broadcast sequence", jedis -> jedis.mget(keys.broadcastSequence(), keys.epoch()));
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
        Object registered = calls.call("heartbeat", jedis -> Scripts.HEARTBEAT.run(jedis, List.of(keys.heartbeats(), keys.workerInfo()),
                List.of(bytes(workerId))));
        if ((Long) registered == 0) {
            LOG.log(System.Logger.Level.WARNING, "worker " + workerId + " (pid " + pid + ") had dropped out of the registry of "
                    + location() + " (no heartbeat for " + WORKER_EXPIRY.toSeconds() + " s, or Redis lost its data); registering again");
            attach();
        }
    }

    private void acknowledge(long sequence) {
        calls.call("acknowledge broadcast " + sequence, jedis -> Scripts.ACK.run(jedis, List.of(keys.acks(sequence)),
                List.of(bytes(workerId), bytes(String.valueOf(BROADCAST_RETENTION.toMillis())))));
    }

    private BroadcastMessage readMessage(long sequence) {
        List<byte[]> fields = calls.call("read broadcast " + sequence, jedis -> jedis.hmget(keys.message(sequence),
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
            try (Jedis connection = calls.connect()) {
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
                }, keys.channel());
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
        return calls.call("read stats", jedis -> {
            byte[] entries = jedis.get(keys.entryCount());
            long counters = jedis.scard(keys.counterNames());
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
            calls.call("unregister worker", jedis -> Scripts.DETACH.run(jedis, List.of(keys.heartbeats(), keys.workerInfo()),
                    List.of(bytes(workerId))));
        } catch (HearthException e) {
            LOG.log(System.Logger.Level.WARNING, "could not unregister worker " + workerId + " from " + location()
                    + "; its heartbeat expires within " + WORKER_EXPIRY.toSeconds() + " s: " + e.getMessage());
        } finally {
            calls.close();
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

    private static String randomId() {
        byte[] random = new byte[8];
        new SecureRandom().nextBytes(random);
        return HexFormat.of().formatHex(random);
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
