package io.hearth.redis;

import static io.hearth.redis.RedisCalls.bytes;
import static io.hearth.redis.RedisCalls.string;

import io.hearth.HearthException;
import io.hearth.StoreFullException;
import io.hearth.spi.CounterCell;
import io.hearth.spi.StoreBackend;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import redis.clients.jedis.exceptions.JedisDataException;

/** The store's counters: each a decimal string under its own key, its name in the set of names. Thread-safe. */
final class RedisCounters {
    private final RedisSettings settings;
    private final RedisKeys keys;
    private final RedisCalls calls;

    RedisCounters(RedisSettings settings, RedisKeys keys, RedisCalls calls) {
        this.settings = settings;
        this.keys = keys;
        this.calls = calls;
    }

    /** The named counter, its name registered first; throws {@link StoreFullException} past maxCounters. */
    CounterCell counter(String name) {
        Object registered = calls.call("create counter '" + name + "'", jedis -> Scripts.REGISTER_COUNTER.run(jedis,
                List.of(keys.counterNames()), List.of(bytes(name), bytes(String.valueOf(settings.maxCounters())))));
        if ((Long) registered < 0) {
            throw full(name, -(Long) registered);
        }
        return new RedisCounter(keys.counter(name), name);
    }

    /** Removes the counter and its name; returns whether it existed. */
    boolean remove(String name) {
        Object removed = calls.call("remove counter '" + name + "'", jedis -> Scripts.REMOVE_COUNTER.run(jedis,
                List.of(keys.counterNames(), keys.counter(name)), List.of(bytes(name))));
        return (Long) removed == 1;
    }

    private StoreFullException full(String name, long count) {
        return new StoreFullException("no room for counter '" + name + "': " + count + " counter names are in use,"
                + " the most this store takes (maxCounters=" + settings.maxCounters() + ") in " + settings.location());
    }

    /** The named counter if its name is registered, else null. */
    CounterCell find(String name) {
        boolean known = calls.call("find counter '" + name + "'", jedis -> jedis.sismember(keys.counterNames(), bytes(name)));
        return known ? new RedisCounter(keys.counter(name), name) : null;
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
            byte[] value = calls.call("read counter '" + name + "'", jedis -> jedis.get(key));
            return value == null ? 0 : Long.parseLong(string(value));
        }

        @Override
        public void set(long value) {
            Object set = calls.call("set counter '" + name + "'", jedis -> Scripts.COUNTER_SET.run(jedis,
                    List.of(keys.counterNames(), key), List.of(bytes(name), max(), bytes(Long.toString(value)))));
            if ((Long) set < 0) {
                throw full(name, -(Long) set);
            }
        }

        private byte[] max() {
            return bytes(String.valueOf(settings.maxCounters()));
        }

        @Override
        public long getAndAdd(long delta) {
            try {
                List<?> added = (List<?>) calls.call("add to counter '" + name + "'", jedis -> Scripts.COUNTER_ADD.run(jedis,
                        List.of(keys.counterNames(), key), List.of(bytes(name), max(), bytes(Long.toString(delta)))));
                if ((Long) added.get(0) < 0) {
                    throw full(name, -(Long) added.get(0));
                }
                return (Long) added.get(1) - delta;
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
            Object set = calls.call("compare-and-set counter '" + name + "'", jedis -> Scripts.COUNTER_CAS.run(jedis,
                    List.of(keys.counterNames(), key), List.of(bytes(name), max(), bytes(Long.toString(expected)),
                            bytes(Long.toString(update)))));
            if ((Long) set < 0) {
                throw full(name, -(Long) set);
            }
            return (Long) set == 1;
        }

        @Override
        public long expiresAt() {
            return StoreBackend.NO_EXPIRY;
        }

        @Override
        public boolean expireAt(long expiresAt) {
            throw new UnsupportedOperationException("counters that expire are not supported yet by the Redis backend");
        }
    }
}
