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
 * strings, so no value passes through Lua's double-precision numbers on a compare (expiry times,
 * epoch milliseconds, are exact in a double). Entries are stored in one hash per map, field = key,
 * value = "version:json" or "version/deadline:json" ({@link #ENTRY}).
 *
 * <p>The sweeps reach map hashes and counters they build from a key prefix in ARGV rather than
 * from KEYS, as the publish script does for messages: fine on a standalone Redis, one reason
 * Redis Cluster is not supported.
 */
final class Scripts {
    /** Lua: the server's clock, epoch milliseconds. Every expiry time in Redis is on this one clock. */
    private static final String NOW = """
            local function now_ms()
              local t = redis.call('TIME')
              return t[1] * 1000 + math.floor(t[2] / 1000)
            end
            """;

    /**
     * Lua for entries. A field's value is "VERSION:JSON", or "VERSION/DEADLINE:JSON" for an entry
     * that expires at DEADLINE (ms of the server's clock); from then on every script and read treats
     * it as absent, while it still holds its place in the entry count until something deletes it:
     * a sweep (through the expiry index, member "MAP NUL KEY", score the deadline) or a remove.
     */
    private static final String ENTRY = NOW + """
            local function record_change(changes, version, member, kind, json)
              local id = string.format('%d-0', version)
              if json then
                redis.pcall('XADD', changes, 'MAXLEN', '~', '@KEPT@', id, 'k', member, 't', kind, 'j', json)
              else
                redis.pcall('XADD', changes, 'MAXLEN', '~', '@KEPT@', id, 'k', member, 't', kind)
              end
            end
            local function parse(value)
              local colon = string.find(value, ':', 1, true)
              local head = string.sub(value, 1, colon - 1)
              local slash = string.find(head, '/', 1, true)
              if not slash then return head, nil, colon end
              return string.sub(head, 1, slash - 1), tonumber(string.sub(head, slash + 1)), colon
            end
            local function sweep_entries(index, count, map_prefix, now, limit, versions, changes)
              local due = redis.call('ZRANGEBYSCORE', index, '-inf', string.format('%d', now), 'LIMIT', 0, limit)
              for _, member in ipairs(due) do
                local nul = string.find(member, string.char(0), 1, true)
                local map = map_prefix .. string.sub(member, 1, nul - 1)
                local field = string.sub(member, nul + 1)
                local value = redis.call('HGET', map, field)
                local deadline = nil
                if value then deadline = select(2, parse(value)) end
                if deadline and deadline > now then
                  redis.call('ZADD', index, string.format('%d', deadline), member)
                else
                  if deadline then
                    redis.call('HDEL', map, field)
                    redis.call('DECR', count)
                    record_change(changes, redis.call('INCR', versions), member, 'e', nil)
                  end
                  redis.call('ZREM', index, member)
                end
              end
              return #due
            end
            """.replace("@KEPT@", String.valueOf(RedisChangeLog.KEPT));

    /** KEYS: map hash. ARGV: key. Returns {value, ms left (-1: no expiry)}, or nil when absent or expired. */
    static final Script READ = new Script("read", ENTRY + """
            local value = redis.call('HGET', KEYS[1], ARGV[1])
            if not value then return false end
            local _, deadline = parse(value)
            if not deadline then return {value, -1} end
            local left = deadline - now_ms()
            if left <= 0 then return false end
            return {value, left}
            """);

    /** KEYS: map hash, version sequence, entry count, expiry index, change stream. ARGV: key, expected (-1 any, 0 absent, version),
     * json, maxEntries (0: none), time to live (ms; 0 none, -1 keep the entry's), index member, map key prefix,
     * sweep limit. Returns the new version, 0 on conflict, or -count when the store is full (after sweeping what
     * had expired). An expired entry is absent here, but its field is still counted: writing over it counts nothing. */
    static final Script WRITE = new Script("write", ENTRY + """
            local now = now_ms()
            local current = redis.call('HGET', KEYS[1], ARGV[1])
            local version, deadline
            if current then
              version, deadline = parse(current)
              if deadline and deadline <= now then version = nil end
            end
            if ARGV[2] ~= '-1' then
              if version then
                if version ~= ARGV[2] then return 0 end
              elseif ARGV[2] ~= '0' then
                return 0
              end
            end
            if not current then
              local max = tonumber(ARGV[4])
              local count = tonumber(redis.call('GET', KEYS[3]) or '0')
              if max > 0 and count >= max then
                sweep_entries(KEYS[4], KEYS[3], ARGV[7], now, tonumber(ARGV[8]), KEYS[2], KEYS[5])
                count = tonumber(redis.call('GET', KEYS[3]) or '0')
                if count >= max then return -count end
              end
              redis.call('INCR', KEYS[3])
            end
            local ttl = tonumber(ARGV[5])
            local expires = nil
            if ttl > 0 then
              expires = now + ttl
            elseif ttl < 0 and version then
              expires = deadline
            end
            local written = redis.call('INCR', KEYS[2])
            local head = string.format('%d', written)
            if expires then
              head = head .. '/' .. string.format('%d', expires)
              redis.call('ZADD', KEYS[4], string.format('%d', expires), ARGV[6])
            elseif deadline then
              redis.call('ZREM', KEYS[4], ARGV[6])
            end
            redis.call('HSET', KEYS[1], ARGV[1], head .. ':' .. ARGV[3])
            record_change(KEYS[5], written, ARGV[6], 'w', ARGV[3])
            return written
            """);

    /** KEYS: map hash, expiry index. ARGV: key, time to live (ms; 0: none), index member. Sets a live entry's expiry,
     * keeping its version and value; returns 1, or 0 when absent or expired. */
    static final Script EXPIRE = new Script("expire", ENTRY + """
            local current = redis.call('HGET', KEYS[1], ARGV[1])
            if not current then return 0 end
            local now = now_ms()
            local version, deadline, colon = parse(current)
            if deadline and deadline <= now then return 0 end
            local ttl = tonumber(ARGV[2])
            local head = version
            if ttl > 0 then
              local expires = string.format('%d', now + ttl)
              head = version .. '/' .. expires
              redis.call('ZADD', KEYS[2], expires, ARGV[3])
            elseif deadline then
              redis.call('ZREM', KEYS[2], ARGV[3])
            else
              return 1
            end
            redis.call('HSET', KEYS[1], ARGV[1], head .. string.sub(current, colon))
            return 1
            """);

    /** KEYS: map hash, entry count, expiry index, version sequence, change stream. ARGV: key, expected (-1 any, or a
     * version), index member. The removal takes a version of its own, which the change stream records it at. Returns
     * what it removed as READ does, or nil when absent, expired (deleted then, as a sweep would) or of another version. */
    static final Script REMOVE = new Script("remove", ENTRY + """
            local current = redis.call('HGET', KEYS[1], ARGV[1])
            if not current then return false end
            local version, deadline = parse(current)
            local left = -1
            if deadline then left = deadline - now_ms() end
            local expired = deadline and left <= 0
            if not expired and ARGV[2] ~= '-1' and version ~= ARGV[2] then return false end
            redis.call('HDEL', KEYS[1], ARGV[1])
            redis.call('DECR', KEYS[2])
            if deadline then redis.call('ZREM', KEYS[3], ARGV[3]) end
            local kind = 'r'
            if expired then kind = 'e' end
            record_change(KEYS[5], redis.call('INCR', KEYS[4]), ARGV[3], kind, nil)
            if expired then return false end
            return {current, left}
            """);

    /** Lua: forgets up to limit counters whose deadline in the expiring-counter index has come and whose key Redis
     * has expired (their names leave the name set); re-files the ones whose expiry has moved. Returns how many it looked at. */
    private static final String SWEEP_COUNTERS = """
            local function sweep_counters(names, index, counter_prefix, now, limit)
              local due = redis.call('ZRANGEBYSCORE', index, '-inf', string.format('%d', now), 'LIMIT', 0, limit)
              for _, name in ipairs(due) do
                local left = redis.call('PTTL', counter_prefix .. name)
                if left == -2 then
                  redis.call('SREM', names, name)
                  redis.call('ZREM', index, name)
                elseif left == -1 then
                  redis.call('ZREM', index, name)
                else
                  redis.call('ZADD', index, string.format('%d', now + left), name)
                end
              end
              return #due
            end
            """;

    /**
     * Lua for counters, every counter script with the same KEYS and ARGV. KEYS: counter-name set,
     * counter, expiring-counter index (name -> deadline, ms of the server's clock). ARGV: name,
     * maxCounters (0: none), time to live in ms of a counter the script creates (0: none), counter
     * key prefix, sweep limit, then the operation's own.
     *
     * <p>A counter exists while its key does, or, never written, while its name is in the set and
     * not in the index: a name in the index whose key is gone is a counter Redis expired, its name
     * left until a sweep. {@code register} names the counter unless maxCounters are in use (after
     * sweeping expired names), then returns -count; {@code created} gives a counter the script
     * created its cell's time to live, in the same script, so no crash can leave it without;
     * {@code write(step)} runs step (which writes the key, keeping any expiry it has) between the
     * two when the counter does not exist, and returns true and step's reply, or false and -count.
     */
    private static final String COUNTER = NOW + SWEEP_COUNTERS + """
            local function exists()
              if redis.call('EXISTS', KEYS[2]) == 1 then return true end
              return redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 and not redis.call('ZSCORE', KEYS[3], ARGV[1])
            end
            local function register()
              if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then return 1 end
              local max = tonumber(ARGV[2])
              if max > 0 and redis.call('SCARD', KEYS[1]) >= max then
                sweep_counters(KEYS[1], KEYS[3], ARGV[4], now_ms(), tonumber(ARGV[5]))
                local count = redis.call('SCARD', KEYS[1])
                if count >= max then return -count end
              end
              redis.call('SADD', KEYS[1], ARGV[1])
              return 1
            end
            local function created()
              local ttl = tonumber(ARGV[3])
              if ttl > 0 then
                redis.call('PEXPIRE', KEYS[2], ARGV[3])
                redis.call('ZADD', KEYS[3], string.format('%d', now_ms() + ttl), ARGV[1])
              else
                redis.call('ZREM', KEYS[3], ARGV[1])
              end
            end
            local function write(step)
              local fresh = not exists()
              if fresh then
                local registered = register()
                if registered < 0 then return false, registered end
              end
              local reply = step()
              if fresh then created() end
              return true, reply
            end
            """;

    /** Counter script (see {@link #COUNTER}). Creates the counter at zero, with its time to live, unless it exists;
     * returns 1, or -count when full. A counter with no time to live is only named: it reads zero without a key. */
    static final Script COUNTER_CREATE = new Script("counter-create", COUNTER + """
            if exists() then return 1 end
            local registered = register()
            if registered < 0 then return registered end
            if tonumber(ARGV[3]) > 0 then redis.call('SET', KEYS[2], '0') end
            created()
            return 1
            """);

    /** Counter script. ARGV[6]: expected, ARGV[7]: update (decimal). Returns 1 when it set, 0 when the value differed,
     * or -count when the counter had to be created and the store is full. An absent counter is "0". */
    static final Script COUNTER_CAS = new Script("counter-cas", COUNTER + """
            if (redis.call('GET', KEYS[2]) or '0') ~= ARGV[6] then return 0 end
            return select(2, write(function()
              redis.call('SET', KEYS[2], ARGV[7], 'KEEPTTL')
              return 1
            end))
            """);

    /** Counter script. ARGV[6]: delta. Returns {1, new value}, or {-count, 0} when the counter had to be created and
     * the store is full. */
    static final Script COUNTER_ADD = new Script("counter-add", COUNTER + """
            local named, reply = write(function() return redis.call('INCRBY', KEYS[2], ARGV[6]) end)
            if not named then return {reply, 0} end
            return {1, reply}
            """);

    /** Counter script. ARGV[6]: value. Returns 1, or -count when the counter had to be created and the store is full. */
    static final Script COUNTER_SET = new Script("counter-set", COUNTER + """
            return select(2, write(function()
              redis.call('SET', KEYS[2], ARGV[6], 'KEEPTTL')
              return 1
            end))
            """);

    /** Counter script. ARGV[6]: time to live in ms, 0 for none (PERSIST). Returns 1, or 0 when the counter does not exist. */
    static final Script COUNTER_EXPIRE = new Script("counter-expire", COUNTER + """
            if not exists() then return 0 end
            local ttl = tonumber(ARGV[6])
            if ttl == 0 then
              redis.call('PERSIST', KEYS[2])
              redis.call('ZREM', KEYS[3], ARGV[1])
              return 1
            end
            if redis.call('EXISTS', KEYS[2]) == 0 then redis.call('SET', KEYS[2], '0') end
            redis.call('PEXPIRE', KEYS[2], ARGV[6])
            redis.call('ZADD', KEYS[3], string.format('%d', now_ms() + ttl), ARGV[1])
            return 1
            """);

    /** Counter script. Returns 1 when the counter exists, else 0. */
    static final Script COUNTER_FIND = new Script("counter-find", COUNTER + """
            if exists() then return 1 end
            return 0
            """);

    /** Counter script. Returns {value (decimal), ms left (-1: no expiry, -2: never written)}, read in one step, or nil
     * when the counter does not exist. */
    static final Script COUNTER_READ = new Script("counter-read", COUNTER + """
            if not exists() then return false end
            return {redis.call('GET', KEYS[2]) or '0', redis.call('PTTL', KEYS[2])}
            """);

    /** KEYS: expiring-counter index. ARGV: counter key prefix, then names from the counter-name set. Returns those
     * names whose counters exist (see {@link #COUNTER}'s exists). */
    static final Script COUNTERS_LIVE = new Script("counters-live", """
            local live = {}
            for i = 2, #ARGV do
              local name = ARGV[i]
              if redis.call('EXISTS', ARGV[1] .. name) == 1 or not redis.call('ZSCORE', KEYS[1], name) then
                live[#live + 1] = name
              end
            end
            return live
            """);

    /** Counter script. Removes the counter, its name and its index entry; returns 1 when it existed. */
    static final Script COUNTER_REMOVE = new Script("counter-remove", COUNTER + """
            local existed = exists()
            redis.call('SREM', KEYS[1], ARGV[1])
            redis.call('DEL', KEYS[2])
            redis.call('ZREM', KEYS[3], ARGV[1])
            if existed then return 1 end
            return 0
            """);

    /** KEYS: entry count, expiry index, counter-name set, expiring-counter index, version sequence, change stream. ARGV: map key prefix, counter key
     * prefix, limit. Deletes up to limit expired entries and forgets up to limit expired counters; returns
     * {entries, counter names, entry index members looked at, counter index members looked at}. */
    static final Script SWEEP = new Script("sweep", ENTRY + SWEEP_COUNTERS + """
            local now = now_ms()
            local limit = tonumber(ARGV[3])
            local entries = sweep_entries(KEYS[2], KEYS[1], ARGV[1], now, limit, KEYS[5], KEYS[6])
            local counters = sweep_counters(KEYS[3], KEYS[4], ARGV[2], now, limit)
            return {tonumber(redis.call('GET', KEYS[1]) or '0'), redis.call('SCARD', KEYS[3]), entries, counters}
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
