package io.hearth.redis;

import io.hearth.HearthException;
import io.hearth.StoreUnavailableException;
import io.hearth.spi.Processes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Function;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.JedisPoolConfig;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The connections of one store: a pool for calls, each of them through {@link #call}, the one place
 * where Jedis failures become Hearth's exceptions, and {@link #connect()} for the pub/sub listener.
 * Thread-safe. Text crosses the wire as UTF-8 ({@link #bytes}, {@link #string}).
 */
final class RedisCalls implements AutoCloseable {
    private final RedisSettings settings;
    private final HostAndPort address;
    private final JedisClientConfig clientConfig;
    private final JedisPool pool;

    RedisCalls(RedisSettings settings) {
        this.settings = settings;
        this.address = new HostAndPort(settings.host(), settings.port());
        this.clientConfig = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(millis(settings.connectTimeout()))
                .socketTimeoutMillis(millis(settings.timeout()))
                .user(settings.user())
                .password(settings.password())
                .database(settings.database())
                .clientName("hearth-" + Processes.currentPid())
                // RESP2, as Jedis 6 spoke; Jedis 8 logs a warning on every connection unless told not to negotiate RESP3.
                .autoNegotiateProtocol(false)
                .build();
        JedisPoolConfig poolConfig = new JedisPoolConfig();
        poolConfig.setMaxTotal(settings.poolSize());
        poolConfig.setMaxIdle(settings.poolSize());
        poolConfig.setMinIdle(0);
        poolConfig.setBlockWhenExhausted(true);
        poolConfig.setMaxWait(settings.timeout());
        poolConfig.setJmxEnabled(false);
        this.pool = new JedisPool(poolConfig, address, clientConfig);
    }

    /**
     * Runs one step on a pooled connection. A failure to reach Redis, or a reply later than the
     * timeout, becomes a {@link StoreUnavailableException} naming host and port; the pool's idle connections
     * are dropped then, so the next call connects afresh (that is how a restarted Redis is picked up).
     *
     * @param what what the step does, for messages: "cannot " + what
     */
    <T> T call(String what, Function<Jedis, T> step) {
        try (Jedis jedis = pool.getResource()) {
            return step.apply(jedis);
        } catch (JedisConnectionException e) {
            pool.clear();
            throw unreachable(what, e);
        } catch (JedisDataException e) {
            if (isTransient(e)) {
                throw unreachable(what, e);
            }
            throw new HearthException("Redis at " + settings.address() + " refused to " + what + " in " + settings.location()
                    + ": " + e.getMessage(), e);
        } catch (JedisException e) {
            throw unreachable(what, e);
        }
    }

    /** A connection of its own, outside the pool, for a SUBSCRIBE that blocks it; the caller closes it. */
    Jedis connect() {
        return new Jedis(address, clientConfig);
    }

    @Override
    public void close() {
        pool.close();
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
        return new StoreUnavailableException("cannot " + what + ": Redis at " + settings.address() + " (" + settings.location()
                + ") is unreachable or did not answer within " + settings.timeout().toMillis() + " ms (connect timeout "
                + settings.connectTimeout().toMillis() + " ms, pool of " + settings.poolSize() + "): " + why, e);
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
}
