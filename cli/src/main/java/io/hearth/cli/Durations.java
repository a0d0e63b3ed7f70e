package io.hearth.cli;

import io.hearth.internal.TimeToLive;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Times to live and waits on the command line, as the HTTP workers' {@code ?ttl=} takes them: a whole
 * number with a unit {@code ms}, {@code s}, {@code m}, {@code h} or {@code d}, a bare number
 * meaning seconds; more than 0 and at most 100 years.
 */
final class Durations implements ITypeConverter<Duration> {
    private static final Pattern FORMAT = Pattern.compile("([0-9]{1,19})(ms|s|m|h|d)?");

    @Override
    public Duration convert(String text) {
        return parse(text);
    }

    static Duration parse(String text) {
        Matcher matcher = FORMAT.matcher(text);
        if (!matcher.matches()) {
            throw refused(text);
        }
        ChronoUnit unit = switch (matcher.group(2) == null ? "s" : matcher.group(2)) {
            case "ms" -> ChronoUnit.MILLIS;
            case "m" -> ChronoUnit.MINUTES;
            case "h" -> ChronoUnit.HOURS;
            case "d" -> ChronoUnit.DAYS;
            default -> ChronoUnit.SECONDS;
        };
        long amount;
        try {
            amount = Long.parseLong(matcher.group(1));
        } catch (NumberFormatException overflow) {
            throw refused(text);
        }
        if (amount < 1 || amount > TimeToLive.MAX.toMillis() / unit.getDuration().toMillis()) {
            throw refused(text);
        }
        return Duration.of(amount, unit);
    }

    private static TypeConversionException refused(String text) {
        return new TypeConversionException("'" + text + "' is not a duration: a whole number more than 0 with a unit"
                + " ms, s, m, h or d (a bare number is seconds), such as 30s or 500ms, at most " + TimeToLive.MAX.toDays() + "d");
    }
}
