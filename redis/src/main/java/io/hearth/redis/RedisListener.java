package io.hearth.redis;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import redis.clients.jedis.BinaryJedisPubSub;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Subscribes to the store's broadcast channel on a daemon thread and a connection of its own, and
 * runs {@code onNews} at each message, and on each (re)subscription since messages published
 * while unsubscribed were missed. Reconnects with a backoff of 0.1 to 1 s until closed. It only
 * wakes the delivery loop, which reads the messages from Redis, so a lost notice only delays.
 */
final class RedisListener implements AutoCloseable {
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

    private final RedisCalls calls;
    private final byte[] channel;
    private final Runnable onNews;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread thread;
    private volatile Jedis connection;

    private RedisListener(String location, RedisCalls calls, byte[] channel, Runnable onNews) {
        this.calls = calls;
        this.channel = channel;
        this.onNews = onNews;
        this.thread = new Thread(this::run, "hearth-redis-listener " + location);
        this.thread.setDaemon(true);
    }

    static RedisListener start(String location, RedisCalls calls, byte[] channel, Runnable onNews) {
        RedisListener listener = new RedisListener(location, calls, channel, onNews);
        listener.thread.start();
        return listener;
    }

    /** Breaks the subscription and waits a few seconds for the thread to end. Safe to call twice. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        Jedis listening = connection;
        if (listening != null) {
            try {
                listening.close(); // breaks the blocking read of SUBSCRIBE
            } catch (RuntimeException ignored) {
                // closing anyway
            }
        }
        try {
            thread.join(CLOSE_WAIT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        long backoffMillis = 100;
        while (!closed.get()) {
            try (Jedis subscribed = calls.connect()) {
                connection = subscribed;
                if (closed.get()) {
                    return;
                }
                subscribed.subscribe(new BinaryJedisPubSub() {
                    @Override
                    public void onSubscribe(byte[] to, int count) {
                        onNews.run();
                    }

                    @Override
                    public void onMessage(byte[] from, byte[] message) {
                        onNews.run();
                    }
                }, channel);
                backoffMillis = 100;
            } catch (JedisException | IllegalStateException e) {
                if (closed.get()) {
                    return;
                }
                LockSupport.parkNanos(Duration.ofMillis(backoffMillis).toNanos());
                backoffMillis = Math.min(1_000, backoffMillis * 2);
            } finally {
                connection = null;
            }
        }
    }
}
