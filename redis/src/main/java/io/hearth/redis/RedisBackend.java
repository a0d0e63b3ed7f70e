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
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
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
 * A store in Redis, its keys laid out in {@link RedisKeys}. Each open store is one worker of the
 * registry ({@link RedisWorkers}); its delivery thread beats every second.
 */
final class RedisBackend implements StoreBackend {
    static final Duration BROADCAST_RETENTION = Duration.ofMinutes(1);
    private static final System.Logger LOG = System.getLogger(RedisBackend.class.getName());

    private final RedisSettings settings;
    private final RedisKeys keys;
    private final RedisCalls calls;
    private final RedisCounters counters;
    private final RedisEntries entries;
    private final RedisWorkers workers;
    private final long startAfter;
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
        this.workers = new RedisWorkers(settings.location(), keys, calls);
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

    @Override
    public List<WorkerInfo> workers() {
        return workers.live().stream().map(RedisWorkers.Worker::info).toList();
    }

    // ---------------------------------------------------------------- broadcasts

    @Override
    public BroadcastResult broadcast(String topic, String payload, Duration waitForAcks) {
        List<RedisWorkers.Worker> recipients = workers.live();
        long sequence = (Long) calls.call("broadcast on topic '" + topic + "'", jedis -> Scripts.PUBLISH.run(jedis,
                List.of(keys.broadcastSequence()), List.of(keys.messagePrefix(), bytes(topic), bytes(payload), bytes(workers.id()),
                        bytes(String.valueOf(workers.pid())), bytes(String.valueOf(BROADCAST_RETENTION.toMillis())), keys.channel())));
        wake.release();
        byte[] ackKey = keys.acks(sequence);
        long deadline = System.nanoTime() + waitForAcks.toNanos();
        boolean mayWait = Thread.currentThread() != agent;
        for (int round = 0; ; round++) {
            Set<String> acked = new HashSet<>();
            calls.call("read acknowledgements", jedis -> jedis.smembers(ackKey)).forEach(id -> acked.add(string(id)));
            List<RedisWorkers.Worker> waitingFor = recipients.stream().filter(w -> !acked.contains(w.id())).toList();
            if (!waitingFor.isEmpty()) {
                Set<String> stillLive = new HashSet<>();
                workers.live().forEach(w -> stillLive.add(w.id()));
                waitingFor = waitingFor.stream().filter(w -> stillLive.contains(w.id())).toList();
            }
            if (waitingFor.isEmpty() || !mayWait || System.nanoTime() - deadline >= 0) {
                List<Long> ackedPids = recipients.stream().filter(w -> acked.contains(w.id())).map(RedisWorkers.Worker::pid).toList();
                List<Long> missingPids = waitingFor.stream().map(RedisWorkers.Worker::pid).toList();
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
                    nextHeartbeat = System.nanoTime() + RedisWorkers.HEARTBEAT_INTERVAL.toNanos();
                    workers.beat();
                }
                if (pendingAck != 0) {
                    acknowledge(pendingAck);
                    pendingAck = 0;
                }
                List<byte[]> state = calls.call("read the broadcast sequence", jedis -> jedis.mget(keys.broadcastSequence(), keys.epoch()));
                long tail = state.get(0) == null ? 0 : Long.parseLong(string(state.get(0)));
                if (!workers.lostDataPending() && (state.get(1) == null || !string(state.get(1)).equals(workers.epoch()))) {
                    workers.attach();
                }
                if (workers.takeLostData()) {
                    LOG.log(System.Logger.Level.WARNING, "Redis lost the data of " + location() + " (restarted without "
                            + "persistence, or flushed?); worker " + workers.id() + " registered again and delivers the "
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
                    LOG.log(System.Logger.Level.WARNING, "worker " + workers.id() + " cannot reach its store: " + e.getMessage()
                            + "; retrying every " + RedisWorkers.HEARTBEAT_INTERVAL.toSeconds() + " s");
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

    private void acknowledge(long sequence) {
        calls.call("acknowledge broadcast " + sequence, jedis -> Scripts.ACK.run(jedis, List.of(keys.acks(sequence)),
                List.of(bytes(workers.id()), bytes(String.valueOf(BROADCAST_RETENTION.toMillis())))));
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
            workers.detach();
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
}
