package io.hearth.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import io.hearth.CounterSnapshot;
import io.hearth.EntrySnapshot;
import io.hearth.internal.TimeToLive;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.regex.Pattern;

/**
 * The lines of {@code dump} and {@code load}, JSON Lines, one entry or counter a line:
 *
 * <pre>
 * {"map":"users","key":"ada","version":7,"value":{"name":"Ada"}}
 * {"map":"sessions","key":"s-42","version":9,"value":{"user":"ada"},"ttl_ms":1799850}
 * {"counter":"hits","value":42}
 * {"counter":"rate:ada","value":3,"ttl_ms":59000}
 * </pre>
 *
 * {@code value} is the stored JSON as it is; {@code ttl_ms} what was left of the time to live when
 * the line was written, absent when there is none; {@code version} the entry's version, which a
 * load does not keep (the store it loads into hands out its own) and may leave out. Reading is
 * strict: an unknown or repeated field, a missing one, a wrong type or anything after the object
 * refuses the line.
 */
final class DumpFormat {
    private static final JsonFactory FACTORY = JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    private static final Pattern WHOLE_NUMBER = Pattern.compile("-?(0|[1-9][0-9]*)");
    /** The longest time to live a line may carry, as the store takes it. */
    private static final long MAX_TTL_MILLIS = TimeToLive.MAX.toMillis();

    /** A line read: an entry or a counter. */
    sealed interface Line permits EntryLine, CounterLine {
    }

    /** @param ttlMillis 0 for none */
    record EntryLine(String map, String key, RawJson value, long ttlMillis) implements Line {
    }

    /** @param ttlMillis 0 for none */
    record CounterLine(String name, long value, long ttlMillis) implements Line {
    }

    private DumpFormat() {
    }

    /** The entry's line, or null when its time to live had run out by nowMillis. */
    static String entryLine(EntrySnapshot<RawJson> entry, long nowMillis) {
        long left = left(entry.expiresAt(), nowMillis);
        if (left < 0) {
            return null;
        }
        return write(json -> {
            json.writeStringField("map", entry.map());
            json.writeStringField("key", entry.key());
            json.writeNumberField("version", entry.version());
            json.writeFieldName("value");
            json.writeRawValue(entry.value().text());
            if (left > 0) {
                json.writeNumberField("ttl_ms", left);
            }
        });
    }

    /** The counter's line, or null when its time to live had run out by nowMillis. */
    static String counterLine(CounterSnapshot counter, long nowMillis) {
        long left = left(counter.expiresAt(), nowMillis);
        if (left < 0) {
            return null;
        }
        return write(json -> {
            json.writeStringField("counter", counter.name());
            json.writeNumberField("value", counter.value());
            if (left > 0) {
                json.writeNumberField("ttl_ms", left);
            }
        });
    }

    /** Milliseconds left until expiresAt: 0 for no expiry, -1 when it has come. */
    private static long left(Instant expiresAt, long nowMillis) {
        if (expiresAt == null) {
            return 0;
        }
        long left = expiresAt.toEpochMilli() - nowMillis;
        return left > 0 ? left : -1;
    }

    private interface Fields {
        void write(JsonGenerator json) throws IOException;
    }

    private static String write(Fields fields) {
        StringWriter text = new StringWriter();
        try (JsonGenerator json = FACTORY.createGenerator(text)) {
            json.writeStartObject();
            fields.write(json);
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }

    /**
     * Reads one line.
     *
     * @throws IllegalArgumentException saying what is wrong with it
     */
    static Line read(String text) {
        String map = null;
        String key = null;
        String counter = null;
        RawJson value = null;
        long ttl = 0;
        try (JsonParser parser = FACTORY.createParser(text)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("not a JSON object");
            }
            for (JsonToken token = parser.nextToken(); token != JsonToken.END_OBJECT; token = parser.nextToken()) {
                String field = parser.currentName();
                JsonToken next = parser.nextToken();
                switch (field) {
                    case "map" -> map = string(parser, next, field);
                    case "key" -> key = string(parser, next, field);
                    case "counter" -> counter = string(parser, next, field);
                    case "value" -> value = RawJson.copy(parser);
                    case "version" -> wholeNumber(parser, next, field, 1, Long.MAX_VALUE); // checked, not kept
                    case "ttl_ms" -> ttl = wholeNumber(parser, next, field, 1, MAX_TTL_MILLIS);
                    default -> throw new IllegalArgumentException("unknown field '" + field + "'");
                }
            }
            if (parser.nextToken() != null) {
                throw new IllegalArgumentException("there is more after the object");
            }
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage() + " (column " + e.getLocation().getColumnNr() + ")");
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage());
        }
        if (value == null) {
            throw new IllegalArgumentException("no \"value\"");
        }
        if (map != null) {
            if (counter != null) {
                throw new IllegalArgumentException("both \"map\" and \"counter\": a line is one entry or one counter");
            }
            if (key == null) {
                throw new IllegalArgumentException("an entry with no \"key\"");
            }
            return new EntryLine(map, key, value, ttl);
        }
        if (counter == null) {
            throw new IllegalArgumentException("neither \"map\" (an entry) nor \"counter\"");
        }
        if (key != null) {
            throw new IllegalArgumentException("a counter has no \"key\"");
        }
        if (!WHOLE_NUMBER.matcher(value.text()).matches()) {
            throw new IllegalArgumentException("counter '" + counter + "' has value " + value.text() + ", not a whole number");
        }
        try {
            return new CounterLine(counter, Long.parseLong(value.text()), ttl);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("counter '" + counter + "' has value " + value.text()
                    + ", beyond a 64-bit counter (" + Long.MIN_VALUE + " to " + Long.MAX_VALUE + ")");
        }
    }

    private static String string(JsonParser parser, JsonToken token, String field) throws IOException {
        if (token != JsonToken.VALUE_STRING) {
            throw new IllegalArgumentException("\"" + field + "\" must be a string");
        }
        return parser.getText();
    }

    private static long wholeNumber(JsonParser parser, JsonToken token, String field, long min, long max) throws IOException {
        if (token != JsonToken.VALUE_NUMBER_INT || parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                || parser.getLongValue() < min || parser.getLongValue() > max) {
            throw new IllegalArgumentException("\"" + field + "\" must be a whole number from " + min + " to " + max
                    + ", not " + parser.getText());
        }
        return parser.getLongValue();
    }
}
