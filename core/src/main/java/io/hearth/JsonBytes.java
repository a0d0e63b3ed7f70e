package io.hearth;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One JSON value as its exact UTF-8 bytes, checked once to be well-formed and never decoded. A
 * {@code SharedMap<JsonBytes>} stores these bytes as they are and reads them back as they were
 * written, whitespace and number spelling included: what a service that passes JSON through (an
 * HTTP front end, a proxy) wants, with no decoding on a read and no encoding on a write.
 *
 * <p>Immutable: the bytes are copied in and out, so the read cache may hand one {@code JsonBytes}
 * to every reader. Equal when the bytes are equal ({@code {"a":1}} and {@code { "a": 1 }} are not).
 * Inside another value written by Jackson it is written as the JSON it holds, and read back from
 * the JSON found there (re-encoded compactly).
 */
@JsonSerialize(using = JsonBytes.Writer.class)
@JsonDeserialize(using = JsonBytes.Reader.class)
public final class JsonBytes {
    /** Checks only: its default limits (1000 levels of nesting, 20,000,000 bytes per string) apply. */
    private static final JsonFactory CHECKER = new JsonFactory();

    private final byte[] json;
    private int hash;

    private JsonBytes(byte[] json) {
        this.json = json;
    }

    /**
     * The JSON value in json, which must hold exactly one value (whitespace around it allowed) in
     * UTF-8 without a byte order mark. The array is copied.
     *
     * @throws IllegalArgumentException naming the problem, if json is empty, is not well-formed JSON,
     *         holds more than one value, or is not UTF-8
     */
    public static JsonBytes of(byte[] json) {
        if (json == null) {
            throw new IllegalArgumentException("json must not be null");
        }
        return checked(json.clone());
    }

    /** As {@link #of(byte[])}, from text; the text is encoded as UTF-8. */
    public static JsonBytes of(String json) {
        if (json == null) {
            throw new IllegalArgumentException("json must not be null");
        }
        return checked(json.getBytes(StandardCharsets.UTF_8));
    }

    private static JsonBytes checked(byte[] json) {
        if (json.length >= 2 && (json[0] == 0 || json[1] == 0)
                || json.length >= 2 && ((json[0] & 0xFF) == 0xFE || (json[0] & 0xFF) == 0xFF)
                || json.length >= 3 && (json[0] & 0xFF) == 0xEF && (json[1] & 0xFF) == 0xBB && (json[2] & 0xFF) == 0xBF) {
            throw new IllegalArgumentException("JSON must be UTF-8 without a byte order mark; these " + json.length
                    + " bytes start as UTF-16, UTF-32 or with a byte order mark");
        }
        try (JsonParser parser = CHECKER.createParser(json)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                throw new IllegalArgumentException("JSON must hold one value; these " + json.length + " bytes hold none");
            }
            parser.skipChildren();
            if (parser.nextToken() != null) {
                throw new IllegalArgumentException("JSON must hold one value; these " + json.length
                        + " bytes hold more, the next at byte " + parser.currentTokenLocation().getByteOffset());
            }
        } catch (JacksonException e) {
            throw new IllegalArgumentException("not well-formed JSON: " + e.getOriginalMessage()
                    + " (at byte " + e.getLocation().getByteOffset() + " of " + json.length + ")", e);
        } catch (IOException e) {
            throw new IllegalArgumentException("not well-formed JSON: " + e.getMessage(), e);
        }
        return new JsonBytes(json);
    }

    /** How many bytes the JSON takes. */
    public int length() {
        return json.length;
    }

    /** A copy of the bytes. */
    public byte[] toByteArray() {
        return json.clone();
    }

    /** The bytes as a read-only buffer, without a copy: for sending them as they are. */
    public ByteBuffer asReadOnlyBuffer() {
        return ByteBuffer.wrap(json).asReadOnlyBuffer();
    }

    /** The JSON as text. */
    @Override
    public String toString() {
        return new String(json, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof JsonBytes bytes && Arrays.equals(json, bytes.json);
    }

    @Override
    public int hashCode() {
        int h = hash;
        if (h == 0) {
            h = Arrays.hashCode(json);
            hash = h; // racy but idempotent, as String's
        }
        return h;
    }

    /** Inside a value Jackson writes: the JSON itself, not a string of it. */
    static final class Writer extends JsonSerializer<JsonBytes> {
        @Override
        public void serialize(JsonBytes value, JsonGenerator generator, SerializerProvider serializers) throws IOException {
            generator.writeRawValue(value.toString());
        }
    }

    /** Inside a value Jackson reads: the JSON found there, written again compactly. */
    static final class Reader extends JsonDeserializer<JsonBytes> {
        @Override
        public JsonBytes deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            return new JsonBytes(context.readTree(parser).toString().getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public JsonBytes getNullValue(DeserializationContext context) {
            return new JsonBytes("null".getBytes(StandardCharsets.US_ASCII));
        }
    }
}
