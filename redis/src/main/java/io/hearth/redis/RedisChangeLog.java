package io.hearth.redis;

import io.hearth.Change;
import io.hearth.spi.ChangeLog;
import io.hearth.spi.StoredChange;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.resps.StreamEntry;

/**
 * The store's change stream in Redis, {@code PREFIX:changes}: the scripts that write and remove
 * entries ({@link Scripts}) add an entry to it in the same atomic step, with the version as its id
 * ({@code VERSION-0}) and fields {@code k} (map NUL key), {@code t} ({@code w} write, {@code r}
 * removal, {@code e} expiry) and {@code j} (the JSON written). Trimmed to about {@link #KEPT}
 * entries ({@code XADD MAXLEN ~}). Since every version is handed out by one of those scripts, a
 * version missing from the stream between two that are there was trimmed or never recorded.
 */
final class RedisChangeLog implements ChangeLog {
    /** About how many changes the stream keeps; Redis trims in whole nodes, so a few more. */
    static final int KEPT = 65_536;
    /** Each poll is two round trips: a watch looks ten times less often than on the file store. */
    private static final Duration IDLE_WAIT = Duration.ofMillis(10);

    private final RedisKeys keys;
    private final RedisCalls calls;
    private final String stream;

    RedisChangeLog(RedisKeys keys, RedisCalls calls) {
        this.keys = keys;
        this.calls = calls;
        this.stream = new String(keys.changes(), StandardCharsets.UTF_8);
    }

    @Override
    public long newest() {
        byte[] version = calls.call("read the version sequence", jedis -> jedis.get(keys.version()));
        return version == null ? 0 : Long.parseLong(new String(version, StandardCharsets.US_ASCII));
    }

    @Override
    public Duration idleWait() {
        return IDLE_WAIT;
    }

    @Override
    public long read(long after, int max, long stalledSinceNanos, Sink sink) {
        // The sequence first: every version up to it is in the stream by then, unless trimmed.
        long newest = newest();
        if (newest <= after) {
            return after;
        }
        List<StreamEntry> entries = calls.call("read the change stream", jedis -> jedis.xrange(stream,
                new StreamEntryID(after + 1, 0), new StreamEntryID(newest, 0), max));
        long last = after;
        for (StreamEntry entry : entries) {
            long version = entry.getID().getTime();
            if (version > last + 1) {
                sink.missed(last + 1, version - 1, "the change stream keeps about " + KEPT + " changes");
            }
            StoredChange change = change(version, entry.getFields());
            if (change == null) {
                sink.missed(version, version, "its stream entry does not read as a change");
            } else {
                sink.change(change);
            }
            last = version;
        }
        if (entries.size() < max && last < newest) {
            sink.missed(last + 1, newest, "not in the change stream: trimmed, or written by a Hearth without change streams");
            last = newest;
        }
        return last;
    }

    private static StoredChange change(long version, Map<String, String> fields) {
        String member = fields.get("k");
        String type = fields.get("t");
        int nul = member == null ? -1 : member.indexOf('\0');
        if (nul < 0 || type == null) {
            return null;
        }
        Change.Kind kind = switch (type) {
            case "w" -> Change.Kind.WRITE;
            case "r" -> Change.Kind.REMOVAL;
            case "e" -> Change.Kind.EXPIRY;
            default -> null;
        };
        String json = fields.get("j");
        if (kind == null || kind == Change.Kind.WRITE && json == null) {
            return null;
        }
        return new StoredChange(version, member.substring(0, nul), member.substring(nul + 1), kind,
                json == null ? null : json.getBytes(StandardCharsets.UTF_8));
    }
}
