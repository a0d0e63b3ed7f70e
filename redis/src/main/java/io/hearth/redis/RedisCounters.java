package io.hearth.redis;

import static io.hearth.redis.RedisCalls.bytes;
import static io.hearth.redis.RedisCalls.string;

import io.hearth.HearthException;
import io.hearth.StoreFullException;
import io.hearth.spi.CounterCell;
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
            throw new StoreFullException("no room for counter '" + name + "': all " + settings.maxCounters()
                    + " counter slots are in use (maxCounters=" + settings.maxCounters() + ") in " + settings.location());
        }
        return new RedisCounter(keys.counter(name), name);
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
            calls.call("set counter '" + name + "'", jedis -> jedis.set(key, bytes(Long.toString(value))));
        }

        @Override
        public long getAndAdd(long delta) {
            try {
                return calls.call("add to counter '" + name + "'", jedis -> jedis.incrBy(key, delta)) - delta;
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
                    List.of(key), List.of(bytes(Long.toString(expected)), bytes(Long.toString(update)))));
            return (Long) set == 1;
        }
    }
}
