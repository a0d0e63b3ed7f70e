package io.hearth.redis;

import io.hearth.spi.BackendLimits;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a {@code redis://} URI says, parsed strictly:
 * {@code redis://[[user]:password@]host[:port][/db][?option=value&...]}. Every option has a default;
 * an unknown, repeated or out-of-range option is refused with {@link IllegalArgumentException}.
 * Messages never repeat the password.
 */
record RedisSettings(String host, int port, int database, String user, String password, Duration timeout,
                     Duration connectTimeout, int poolSize, String prefix, BackendLimits limits, long maxEntries,
                     int maxCounters, Duration lease) {
    static final int DEFAULT_PORT = 6379;
    static final String DEFAULT_PREFIX = "hearth:";
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
    static final int DEFAULT_POOL = 8;
    /** How long a lock or leadership claim lasts unless renewed: short, so a dead holder frees it soon. */
    static final Duration DEFAULT_LEASE = Duration.ofSeconds(2);
    /** The shortest lease: the holder renews every third of it, a round trip each time. */
    static final Duration MIN_LEASE = Duration.ofMillis(100);
    /** Name limits, the same as the file store's, so code moves between the two unchanged. */
    static final int MAX_MAP_NAME_BYTES = 64;
    static final int MAX_COUNTER_NAME_BYTES = 112;
    static final int MAX_TOPIC_BYTES = 96;
    /** The option names, for messages. */
    static final List<String> OPTIONS = List.of("timeout", "connectTimeout", "pool", "prefix", "maxKeyBytes",
            "maxValueBytes", "maxBroadcastBytes", "maxEntries", "maxCounters", "lease");
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m)");
    private static final Duration MAX_TIMEOUT = Duration.ofMinutes(10);

    /** Never prints the password, whatever a caller logs. */
    @Override
    public String toString() {
        return "RedisSettings[" + location() + ", timeout=" + timeout + ", connectTimeout=" + connectTimeout
                + ", pool=" + poolSize + ", limits=" + limits + ", maxEntries=" + maxEntries
                + ", maxCounters=" + maxCounters + ", lease=" + lease + "]";
    }

    /** host:port, as messages name the server. */
    String address() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /** The store's URI without credentials or tuning: server, database and, when not the default, the key prefix. */
    String location() {
        return "redis://" + address() + "/" + database
                + (prefix.equals(DEFAULT_PREFIX) ? "" : "?prefix=" + prefix);
    }

    static RedisSettings parse(URI uri) {
        if (uri == null) {
            throw new IllegalArgumentException("Redis URI must not be null");
        }
        String shown = redact(uri);
        if (!"redis".equals(uri.getScheme())) {
            throw new IllegalArgumentException("not a redis:// URI: " + shown);
        }
        if (uri.isOpaque()) {
            throw new IllegalArgumentException("Redis URI must be redis://host[:port][/db], was " + shown);
        }
        if (uri.getRawFragment() != null) {
            throw new IllegalArgumentException("Redis URI must not have a fragment (#...): " + shown);
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("Redis URI has no host, or a port that is not a number: " + shown);
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = uri.getPort() == -1 ? DEFAULT_PORT : uri.getPort();
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("Redis port must be from 1 to 65535, was " + port + " in " + shown);
        }

        String user = null;
        String password = null;
        String userInfo = uri.getRawUserInfo();
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("Redis URI credentials must be [user]:password@, with the colon: " + shown);
            }
            user = colon == 0 ? null : decode(userInfo.substring(0, colon), "user", shown);
            password = decode(userInfo.substring(colon + 1), "password", shown);
            if (password.isEmpty()) {
                throw new IllegalArgumentException("Redis URI has an empty password: " + shown);
            }
        }

        int database = 0;
        String path = uri.getRawPath();
        if (path != null && !path.isEmpty() && !path.equals("/")) {
            String db = path.substring(1);
            if (!db.matches("\\d{1,5}")) {
                throw new IllegalArgumentException("Redis database must be a number from 0 to 99999 after the host, like /0, was '"
                        + path + "' in " + shown);
            }
            database = Integer.parseInt(db);
        }

        Map<String, String> options = options(uri, shown);
        Duration timeout = duration(options, "timeout", DEFAULT_TIMEOUT, shown);
        Duration connectTimeout = duration(options, "connectTimeout", timeout, shown);
        int pool = (int) number(options, "pool", DEFAULT_POOL, 1, 1024, shown);
        String prefix = options.getOrDefault("prefix", DEFAULT_PREFIX);
        if (prefix.isEmpty() || prefix.length() > 128 || prefix.chars().anyMatch(c -> c <= ' ' || c == 127)) {
            throw new IllegalArgumentException("Redis option prefix must be 1 to 128 characters without spaces or control characters, was '"
                    + prefix + "' in " + shown);
        }
        BackendLimits limits = new BackendLimits(
                (int) number(options, "maxKeyBytes", 256, 1, 4096, shown),
                (int) number(options, "maxValueBytes", 64 * 1024, 16, 1 << 20, shown),
                (int) number(options, "maxBroadcastBytes", 16 * 1024, 1, 1 << 20, shown),
                MAX_MAP_NAME_BYTES, MAX_COUNTER_NAME_BYTES, MAX_TOPIC_BYTES);
        long maxEntries = number(options, "maxEntries", 0, 0, Long.MAX_VALUE / 2, shown);
        int maxCounters = (int) number(options, "maxCounters", 0, 0, Integer.MAX_VALUE, shown);
        Duration lease = duration(options, "lease", DEFAULT_LEASE, shown);
        if (lease.compareTo(MIN_LEASE) < 0) {
            throw new IllegalArgumentException("Redis option lease must be from " + MIN_LEASE.toMillis() + "ms to 10m, was "
                    + options.get("lease") + " in " + shown);
        }
        return new RedisSettings(host, port, database, user, password, timeout, connectTimeout, pool, prefix, limits,
                maxEntries, maxCounters, lease);
    }

    /** The URI as text with any credentials replaced by "***". */
    static String redact(URI uri) {
        String text = uri.toString();
        String userInfo = uri.getRawUserInfo();
        return userInfo == null ? text : text.replace(userInfo + "@", "***@");
    }

    private static Map<String, String> options(URI uri, String shown) {
        Map<String, String> options = new LinkedHashMap<>();
        String query = uri.getRawQuery();
        if (query == null || query.isEmpty()) {
            return options;
        }
        for (String pair : query.split("&", -1)) {
            int equals = pair.indexOf('=');
            if (equals <= 0) {
                throw new IllegalArgumentException("Redis URI option must be name=value, was '" + pair + "' in " + shown);
            }
            String name = pair.substring(0, equals);
            if (!OPTIONS.contains(name)) {
                throw new IllegalArgumentException("unknown Redis URI option '" + name + "' in " + shown + "; known: " + OPTIONS);
            }
            if (options.put(name, decode(pair.substring(equals + 1), name, shown)) != null) {
                throw new IllegalArgumentException("Redis URI option '" + name + "' is given twice in " + shown);
            }
        }
        return options;
    }

    private static Duration duration(Map<String, String> options, String name, Duration fallback, String shown) {
        String text = options.get(name);
        if (text == null) {
            return fallback;
        }
        Matcher matcher = DURATION.matcher(text);
        if (!matcher.matches()) {
            throw new IllegalArgumentException("Redis option " + name + " must be a number with unit ms, s or m (like 500ms or 2s), was '"
                    + text + "' in " + shown);
        }
        long amount = Long.parseLong(matcher.group(1));
        Duration duration = switch (matcher.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            default -> Duration.ofMinutes(amount);
        };
        if (duration.isZero() || duration.compareTo(MAX_TIMEOUT) > 0) {
            throw new IllegalArgumentException("Redis option " + name + " must be from 1ms to 10m, was " + text + " in " + shown);
        }
        return duration;
    }

    private static long number(Map<String, String> options, String name, long fallback, long min, long max, String shown) {
        String text = options.get(name);
        if (text == null) {
            return fallback;
        }
        long value;
        try {
            value = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Redis option " + name + " must be a whole number, was '" + text + "' in " + shown, e);
        }
        if (value < min || value > max) {
            throw new IllegalArgumentException("Redis option " + name + " must be from " + min + " to " + max + ", was "
                    + value + " in " + shown);
        }
        return value;
    }

    /** Percent-decoding as URIs define it ('+' stays '+'), to UTF-8. */
    private static String decode(String raw, String what, String shown) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int i = 0;
        while (i < raw.length()) {
            if (raw.charAt(i) == '%') {
                int hi = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
                int lo = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 2), 16) : -1;
                if (hi < 0 || lo < 0) {
                    throw new IllegalArgumentException("Redis URI " + what + " has a broken %-escape in " + shown);
                }
                bytes.write(hi << 4 | lo);
                i += 3;
            } else {
                int end = raw.indexOf('%', i);
                end = end < 0 ? raw.length() : end;
                byte[] plain = raw.substring(i, end).getBytes(StandardCharsets.UTF_8);
                bytes.write(plain, 0, plain.length);
                i = end;
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
