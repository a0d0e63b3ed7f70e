package io.hearth.http;

import io.hearth.internal.TimeToLive;
import io.undertow.server.HttpServerExchange;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code ttl} query parameter of writes: a whole number with a unit, {@code ms}, {@code s},
 * {@code m}, {@code h} or {@code d} ({@code 30s}, {@code 500ms}), a bare number meaning seconds as
 * Redis's {@code EX} does. Read here, before any store call, so that a bad one is a 400 that writes
 * nothing; the limits are the store's ({@link TimeToLive#MAX}), checked here too so the answer can
 * name the value as the client wrote it.
 */
final class TimeToLiveParameter {
    static final String NAME = "ttl";
    private static final Pattern FORMAT = Pattern.compile("([0-9]{1,19})(ms|s|m|h|d)?");

    private TimeToLiveParameter() {
    }

    /** The request's time to live; empty when it gives none. */
    static Optional<Duration> of(HttpServerExchange exchange) {
        String text = Requests.query(exchange, NAME, null);
        return text == null ? Optional.empty() : Optional.of(parse(text));
    }

    /** Whether the request names a time to live, well formed or not. */
    static boolean given(HttpServerExchange exchange) {
        return exchange.getQueryParameters().containsKey(NAME);
    }

    static Duration parse(String text) {
        Matcher matcher = FORMAT.matcher(text);
        if (!matcher.matches()) {
            throw refused(text);
        }
        ChronoUnit unit = unit(matcher.group(2));
        long amount;
        try {
            amount = Long.parseLong(matcher.group(1));
        } catch (NumberFormatException overflow) {
            throw refused(text); // 19 digits over Long.MAX_VALUE: far over the limit anyway
        }
        // Compared in the unit given, so that no amount overflows on its way to a Duration.
        long max = TimeToLive.MAX.toMillis() / unit.getDuration().toMillis();
        if (amount < 1 || amount > max) {
            throw refused(text);
        }
        return Duration.of(amount, unit);
    }

    private static ChronoUnit unit(String suffix) {
        if (suffix == null) {
            return ChronoUnit.SECONDS;
        }
        return switch (suffix) {
            case "ms" -> ChronoUnit.MILLIS;
            case "s" -> ChronoUnit.SECONDS;
            case "m" -> ChronoUnit.MINUTES;
            case "h" -> ChronoUnit.HOURS;
            case "d" -> ChronoUnit.DAYS;
            default -> throw new IllegalStateException("the pattern allows no unit " + suffix);
        };
    }

    private static HttpError refused(String text) {
        return HttpError.badRequest("query parameter '" + NAME + "' is '" + Requests.printable(text)
                + "'; a time to live must be a whole number more than 0 and at most " + TimeToLive.MAX.toDays()
                + " days (100 years), with a unit ms, s, m, h or d (a bare number is seconds), such as 30s or 500ms."
                + " Nothing was written");
    }
}
