package io.hearth.redis;

import static io.hearth.redis.RedisCalls.bytes;
import static io.hearth.redis.RedisCalls.string;

import io.hearth.HearthException;
import io.hearth.StoreFullException;
import io.hearth.spi.CounterCell;
import io.hearth.spi.CounterReading;
import io.hearth.spi.StoreBackend;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * The store's counters: each a decimal string under its own key, its name in the set of names. A
 * counter with a time to live has Redis's own expiry on its key (PEXPIRE, PTTL, PERSIST) and its
 * name in the expiring-counter index, which tells a counter Redis expired (key gone, name still
 * in the set) from one never written (no key either, but not in the index); scripts and
 * {@link #find} treat the first as absent, and {@link RedisSweep} removes its name. Thread-safe.
 */
final class RedisCounters {
    private final RedisSettings settings;
    private final RedisKeys keys;
    private final RedisCalls calls;

    RedisCounters(RedisSettings settings, RedisKeys keys, RedisCalls calls) {
        this.settings = settings;
        this.keys = keys;
        this.calls = calls;
    }

    /**
     * The named counter, created unless it exists (at zero, to expire timeToLiveMillis later, 0:
     * never); throws {@link StoreFullException} past maxCounters.
     */
    CounterCell counter(String name, long timeToLiveMillis) {
        RedisCounter counter = new RedisCounter(name, timeToLiveMillis);
        counter.refuseWhenFull((Long) counter.run("create counter", Scripts.COUNTER_CREATE));
        return counter;
    }

    /** Removes the counter and its name; returns whether it existed. */
    boolean remove(String name) {
        return (Long) new RedisCounter(name, 0).run("remove counter", Scripts.COUNTER_REMOVE) == 1;
    }

    /** The named counter if it exists (and has not expired), else null. */
    CounterCell find(String name) {
        RedisCounter counter = new RedisCounter(name, 0);
        return (Long) counter.run("find counter", Scripts.COUNTER_FIND) == 1 ? counter : null;
    }

    /** The names of the counters that exist: the name set, a page at a time, less those Redis has expired. */
    Set<String> liveNames() {
        return calls.call("list the counters", jedis -> {
            Set<String> names = new HashSet<>(); // SSCAN may return a name twice while the set is rehashed
            ScanParams params = new ScanParams().count(500);
            byte[] cursor = ScanParams.SCAN_POINTER_START_BINARY;
            do {
                ScanResult<byte[]> page = jedis.sscan(keys.counterNames(), cursor, params);
                if (!page.getResult().isEmpty()) {
                    List<byte[]> args = new ArrayList<>();
                    args.add(keys.counterPrefix());
                    args.addAll(page.getResult());
                    for (Object live : (List<?>) Scripts.COUNTERS_LIVE.run(jedis, List.of(keys.expiringCounters()), args)) {
                        names.add(string((byte[]) live));
                    }
                }
                cursor = page.getCursorAsBytes();
            } while (!Arrays.equals(cursor, ScanParams.SCAN_POINTER_START_BINARY));
            return names;
        });
    }

    private StoreFullException full(String name, long count) {
        return new StoreFullException("no room for counter '" + name + "': " + count + " counter names are in use,"
                + " the most this store takes (maxCounters=" + settings.maxCounters() + ") in " + settings.location());
    }

    private final class RedisCounter implements CounterCell {
        private final byte[] key;
        private final String name;
        /** KEYS of every counter script. */
        private final List<byte[]> scriptKeys;
        /** The ARGV every counter script starts with (see {@link Scripts}); the operation's own follow. */
        private final List<byte[]> scriptArgs;

        /** @param timeToLiveMillis of the counter a write through this cell creates; 0: none */
        RedisCounter(String name, long timeToLiveMillis) {
            this.key = keys.counter(name);
            this.name = name;
            this.scriptKeys = List.of(keys.counterNames(), key, keys.expiringCounters());
            this.scriptArgs = List.of(bytes(name), bytes(String.valueOf(settings.maxCounters())),
                    bytes(String.valueOf(timeToLiveMillis)), keys.counterPrefix(), RedisSweep.LIMIT_BYTES);
        }

        /** Runs a counter script with this counter's KEYS and ARGV, then operation's. */
        Object run(String what, Scripts.Script script, byte[]... operation) {
            List<byte[]> args = new ArrayList<>(scriptArgs);
            args.addAll(Arrays.asList(operation));
            return calls.call(what + " '" + name + "'", jedis -> script.run(jedis, scriptKeys, args));
        }

        /** Passes a script's reply on, unless it says the counter could not be named: then StoreFullException. */
        long refuseWhenFull(long reply) {
            if (reply < 0) {
                throw full(name, -reply);
            }
            return reply;
        }

        @Override
        public long get() {
            byte[] value = calls.call("read counter '" + name + "'", jedis -> jedis.get(key));
            return value == null ? 0 : Long.parseLong(string(value));
        }

        @Override
        public void set(long value) {
            refuseWhenFull((Long) run("set counter", Scripts.COUNTER_SET, bytes(Long.toString(value))));
        }

        @Override
        public long getAndAdd(long delta) {
            try {
                List<?> added = (List<?>) run("add to counter", Scripts.COUNTER_ADD, bytes(Long.toString(delta)));
                refuseWhenFull((Long) added.get(0));
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
            return refuseWhenFull((Long) run("compare-and-set counter", Scripts.COUNTER_CAS, bytes(Long.toString(expected)),
                    bytes(Long.toString(update)))) == 1;
        }

        @Override
        public long expiresAt() {
            long left = calls.call("read the expiry of counter '" + name + "'", jedis -> jedis.pttl(key));
            return Deadlines.expiresAt(left); // -1 (no expiry) and -2 (no key) are both none
        }

        @Override
        public CounterReading read() {
            Object reply = run("read counter", Scripts.COUNTER_READ);
            if (reply == null) {
                return null;
            }
            List<?> both = (List<?>) reply;
            return new CounterReading(Long.parseLong(string((byte[]) both.get(0))), Deadlines.expiresAt((Long) both.get(1)));
        }

        @Override
        public boolean expireAt(long expiresAt) {
            long timeToLive = expiresAt == StoreBackend.NO_EXPIRY ? 0 : Deadlines.millisUntil(expiresAt);
            return (Long) run("set the expiry of counter", Scripts.COUNTER_EXPIRE, bytes(String.valueOf(timeToLive))) == 1;
        }
    }
}
