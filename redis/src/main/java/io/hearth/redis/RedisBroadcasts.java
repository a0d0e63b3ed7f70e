package io.hearth.redis;

import static io.hearth.redis.RedisCalls.bytes;
import static io.hearth.redis.RedisCalls.string;

import io.hearth.BroadcastMessage;
import io.hearth.BroadcastResult;
import io.hearth.spi.DeliveryLoop;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Broadcasts: sending one and waiting for the acknowledgements, and delivering them to this
 * process through a {@link DeliveryLoop} over the messages kept in Redis for
 * {@link #BROADCAST_RETENTION}, woken by a {@link RedisListener} on the channel. Thread-safe.
 */
final class RedisBroadcasts implements AutoCloseable {
    static final Duration BROADCAST_RETENTION = Duration.ofMinutes(1);
    private static final System.Logger LOG = System.getLogger(RedisBroadcasts.class.getName());

    private final String location;
    private final RedisKeys keys;
    private final RedisCalls calls;
    private final RedisWorkers workers;
    private volatile DeliveryLoop delivery;
    private volatile RedisListener listener;

    RedisBroadcasts(String location, RedisKeys keys, RedisCalls calls, RedisWorkers workers) {
        this.location = location;
        this.keys = keys;
        this.calls = calls;
        this.workers = workers;
    }

    /** Sends the message and waits up to waitForAcks for the workers live at sending; see {@link io.hearth.spi.StoreBackend#broadcast}. */
    BroadcastResult broadcast(String topic, String payload, Duration waitForAcks) {
        List<RedisWorkers.Worker> recipients = workers.live();
        long sequence = (Long) calls.call("broadcast on topic '" + topic + "'", jedis -> Scripts.PUBLISH.run(jedis,
                List.of(keys.broadcastSequence()), List.of(keys.messagePrefix(), bytes(topic), bytes(payload),
                        bytes(workers.id()), bytes(String.valueOf(workers.pid())),
                        bytes(String.valueOf(BROADCAST_RETENTION.toMillis())), keys.channel())));
        DeliveryLoop loop = delivery;
        if (loop != null) {
            loop.wake();
        }
        byte[] ackKey = keys.acks(sequence);
        long deadline = System.nanoTime() + waitForAcks.toNanos();
        boolean mayWait = loop == null || !loop.isDeliveryThread();
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

    /** Starts delivering the messages after startAfter to sink, and the listener that wakes the delivery. */
    void startDelivery(long startAfter, Consumer<BroadcastMessage> sink) {
        DeliveryLoop loop = DeliveryLoop.start(location, new MessageSource(), startAfter, sink);
        delivery = loop;
        listener = RedisListener.start(location, calls, keys.channel(), loop::wake);
    }

    /** Stops the delivery loop and the listener, each after waiting a few seconds for it. */
    @Override
    public void close() {
        DeliveryLoop loop = delivery;
        if (loop != null) {
            loop.close();
        }
        RedisListener listening = listener;
        if (listening != null) {
            listening.close();
        }
    }

    /**
     * The messages in Redis as this process's delivery loop reads them. When Redis holds another
     * epoch than this worker registered under, it lost the data: the worker registers again and
     * delivery starts over from sequence 1, the numbering of the new log.
     */
    private final class MessageSource implements DeliveryLoop.Source {
        @Override
        public long newest() {
            List<byte[]> state = calls.call("read the broadcast sequence",
                    jedis -> jedis.mget(keys.broadcastSequence(), keys.epoch()));
            if (!workers.lostDataPending() && (state.get(1) == null || !string(state.get(1)).equals(workers.epoch()))) {
                workers.attach(); // notes the loss
            }
            if (workers.lostDataPending()) {
                return 0; // nothing of the new log under the old numbering: resume() starts over first
            }
            return state.get(0) == null ? 0 : Long.parseLong(string(state.get(0)));
        }

        @Override
        public long resume(long next) {
            if (!workers.takeLostData()) {
                return next;
            }
            LOG.log(System.Logger.Level.WARNING, "Redis lost the data of " + location + " (restarted without "
                    + "persistence, or flushed?); worker " + workers.id() + " registered again and delivers the "
                    + "broadcasts sent since, from sequence 1");
            return 1;
        }

        @Override
        public DeliveryLoop.Read read(long sequence, long waitingSinceNanos) {
            List<byte[]> fields = calls.call("read broadcast " + sequence, jedis -> jedis.hmget(keys.message(sequence),
                    bytes("topic"), bytes("payload"), bytes("pid"), bytes("at")));
            if (fields.get(0) == null) {
                return new DeliveryLoop.Skipped("broadcast " + sequence + " of " + location
                        + " expired before this process read it (retention " + BROADCAST_RETENTION + ")");
            }
            return new DeliveryLoop.Message(new BroadcastMessage(string(fields.get(0)), string(fields.get(1)), sequence,
                    Long.parseLong(string(fields.get(2))), Instant.ofEpochMilli(Long.parseLong(string(fields.get(3))))));
        }

        @Override
        public void acknowledge(long sequence) {
            calls.call("acknowledge broadcast " + sequence, jedis -> Scripts.ACK.run(jedis, List.of(keys.acks(sequence)),
                    List.of(bytes(workers.id()), bytes(String.valueOf(BROADCAST_RETENTION.toMillis())))));
        }

        @Override
        public Duration idleWait(int idleRounds) {
            // The listener wakes the loop at each message; the wait only bounds a lost notice. A loss
            // found by newest() is taken by resume() at the next round: start that at once.
            return workers.lostDataPending() ? Duration.ZERO : RedisWorkers.HEARTBEAT_INTERVAL;
        }
    }
}
