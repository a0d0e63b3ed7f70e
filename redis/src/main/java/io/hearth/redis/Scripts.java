package io.hearth.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/**
 * The Lua scripts that make each multi-key step atomic in Redis. Each runs by EVALSHA and falls
 * back to EVAL (which caches it again) when the server does not know it, as after a restart.
 *
 * <p>Versions and counters cross the script boundary as decimal strings and are compared as
 * strings, so no value passes through Lua's double-precision numbers on a compare. Entries are
 * stored in one hash per map, field = key, value = "version:json".
 */
final class Scripts {
    /** KEYS: map hash, version sequence, entry count. ARGV: key, expected (-1 any, 0 absent, version), json, maxEntries (0: none).
     * Returns the new version, 0 on conflict, or -count when the store is full. */
    static final Script WRITE = new Script("write", """
            local current = redis.call('HGET', KEYS[1], ARGV[1])
            if ARGV[2] ~= '-1' then
              if current then
                if string.sub(current, 1, string.find(current, ':', 1, true) - 1) ~= ARGV[2] then return 0 end
              elseif ARGV[2] ~= '0' then
                return 0
              end
            end
            if not current then
              local max = tonumber(ARGV[4])
              local count = tonumber(redis.call('GET', KEYS[3]) or '0')
              if max > 0 and count >= max then return -count end
              redis.call('INCR', KEYS[3])
            end
            local version = redis.call('INCR', KEYS[2])
            redis.call('HSET', KEYS[1], ARGV[1], string.format('%d', version) .. ':' .. ARGV[3])
            return version
            """);

    /** KEYS: map hash, entry count. ARGV: key, expected (-1 any, or a version). Returns the removed "version:json" or nil. */
    static final Script REMOVE = new Script("remove", """
            local current = redis.call('HGET', KEYS[1], ARGV[1])
            if not current then return false end
            if ARGV[2] ~= '-1' and string.sub(current, 1, string.find(current, ':', 1, true) - 1) ~= ARGV[2] then
              return false
            end
            redis.call('HDEL', KEYS[1], ARGV[1])
            redis.call('DECR', KEYS[2])
            return current
            """);

    /** Registers ARGV[1] in the counter-name set KEYS[1] unless maxCounters ARGV[2] (0: none) is reached; -count when full. */
    private static final String REGISTER = """
            local function register()
              if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then return 1 end
              local max = tonumber(ARGV[2])
              local count = redis.call('SCARD', KEYS[1])
              if max > 0 and count >= max then return -count end
              redis.call('SADD', KEYS[1], ARGV[1])
              return 1
            end
            """;

    /** KEYS: counter-name set, counter. ARGV: name, maxCounters, expected, update (decimal). Returns 1 when it set,
     * 0 when the value differed, or -count when the name had to be registered and the store is full. An absent
     * counter is "0"; a counter removed meanwhile is named again by the write. */
    static final Script COUNTER_CAS = new Script("counter-cas", REGISTER + """
            if (redis.call('GET', KEYS[2]) or '0') ~= ARGV[3] then return 0 end
            local registered = register()
            if registered < 0 then return registered end
            redis.call('SET', KEYS[2], ARGV[4])
            return 1
            """);

    /** KEYS: counter-name set, counter. ARGV: name, maxCounters, delta. Returns {1, new value}, or {-count, 0} when
     * the name had to be registered and the store is full. */
    static final Script COUNTER_ADD = new Script("counter-add", REGISTER + """
            local registered = register()
            if registered < 0 then return {registered, 0} end
            return {1, redis.call('INCRBY', KEYS[2], ARGV[3])}
            """);

    /** KEYS: counter-name set, counter. ARGV: name, maxCounters, value. Returns 1, or -count when full. */
    static final Script COUNTER_SET = new Script("counter-set", REGISTER + """
            local registered = register()
            if registered < 0 then return registered end
            redis.call('SET', KEYS[2], ARGV[3])
            return 1
            """);

    /** KEYS: counter-name set, counter. ARGV: name. Removes the counter and its name; returns 1 when it existed. */
    static final Script REMOVE_COUNTER = new Script("remove-counter", """
            local named = redis.call('SREM', KEYS[1], ARGV[1])
            local valued = redis.call('DEL', KEYS[2])
            if named + valued > 0 then return 1 end
            return 0
            """);

    /** KEYS: counter-name set. ARGV: name, maxCounters (0: none). Returns 1, or -count when full. */
    static final Script REGISTER_COUNTER = new Script("register-counter", """
            if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then return 1 end
            local max = tonumber(ARGV[2])
            local count = redis.call('SCARD', KEYS[1])
            if max > 0 and count >= max then return -count end
            redis.call('SADD', KEYS[1], ARGV[1])
            return 1
            """);

    /** KEYS: heartbeats (zset), worker info (hash), broadcast sequence, epoch. ARGV: id, "pid start host", a new epoch.
     * Registers the worker at the server's clock; returns the broadcast sequence at that instant and the store's
     * epoch, set to the new one when absent (a new store, or one Redis lost). */
    static final Script ATTACH = new Script("attach", """
            local t = redis.call('TIME')
            local now = string.format('%d', t[1] * 1000 + math.floor(t[2] / 1000))
            redis.call('ZADD', KEYS[1], now, ARGV[1])
            redis.call('HSET', KEYS[2], ARGV[1], ARGV[2] .. ' ' .. now)
            local epoch = redis.call('GET', KEYS[4])
            if not epoch then
              epoch = ARGV[3]
              redis.call('SET', KEYS[4], epoch)
            end
            return {tonumber(redis.call('GET', KEYS[3]) or '0'), epoch}
            """);

    /** KEYS: heartbeats, worker info. ARGV: id. Returns 0 when the worker is no longer registered. */
    static final Script HEARTBEAT = new Script("heartbeat", """
            if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 0 then return 0 end
            local t = redis.call('TIME')
            redis.call('ZADD', KEYS[1], string.format('%d', t[1] * 1000 + math.floor(t[2] / 1000)), ARGV[1])
            return 1
            """);

    /** KEYS: heartbeats, worker info. ARGV: ids to drop. */
    static final Script DETACH = new Script("detach", """
            for i = 1, #ARGV do
              redis.call('ZREM', KEYS[1], ARGV[i])
              redis.call('HDEL', KEYS[2], ARGV[i])
            end
            return #ARGV
            """);

    /** KEYS: heartbeats, worker info. ARGV: expiry ms. Drops workers whose heartbeat is older than the expiry;
     * returns id, heartbeat ms, info for each live one. */
    static final Script LIVE_WORKERS = new Script("live-workers", """
            local t = redis.call('TIME')
            local oldest = t[1] * 1000 + math.floor(t[2] / 1000) - tonumber(ARGV[1])
            local stale = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. string.format('%d', oldest))
            for _, id in ipairs(stale) do
              redis.call('ZREM', KEYS[1], id)
              redis.call('HDEL', KEYS[2], id)
            end
            local live = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
            local result = {}
            for i = 1, #live, 2 do
              local info = redis.call('HGET', KEYS[2], live[i])
              if info then
                table.insert(result, live[i])
                table.insert(result, live[i + 1])
                table.insert(result, info)
              end
            end
            return result
            """);

    /** KEYS: broadcast sequence. ARGV: message key prefix, topic, payload, sender id, sender pid, retention ms, channel.
     * Stores the message under its sequence and publishes the sequence; returns the sequence. */
    static final Script PUBLISH = new Script("publish", """
            local sequence = redis.call('INCR', KEYS[1])
            local t = redis.call('TIME')
            local key = ARGV[1] .. string.format('%d', sequence)
            redis.call('HSET', key, 'topic', ARGV[2], 'payload', ARGV[3], 'sender', ARGV[4], 'pid', ARGV[5],
              'at', string.format('%d', t[1] * 1000 + math.floor(t[2] / 1000)))
            redis.call('PEXPIRE', key, ARGV[6])
            redis.call('PUBLISH', ARGV[7], string.format('%d', sequence))
            return sequence
            """);

    /** KEYS: the message's ack set. ARGV: worker id, retention ms. */
    static final Script ACK = new Script("ack", """
            redis.call('SADD', KEYS[1], ARGV[1])
            redis.call('PEXPIRE', KEYS[1], ARGV[2])
            return 1
            """);

    private Scripts() {
    }

    record Script(String name, byte[] source, byte[] sha) {
        Script(String name, String source) {
            this(name, source.getBytes(StandardCharsets.UTF_8), sha1(source));
        }

        Object run(Jedis jedis, List<byte[]> keys, List<byte[]> args) {
            try {
                return jedis.evalsha(sha, keys, args);
            } catch (JedisNoScriptException e) {
                return jedis.eval(source, keys, args);
            }
        }

        private static byte[] sha1(String source) {
            try {
                byte[] digest = MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8));
                return HexFormat.of().formatHex(digest).getBytes(StandardCharsets.US_ASCII);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every JVM has SHA-1", e);
            }
        }
    }
}
