package io.hearth.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/**
 * A JSON value kept as compact text, exactly: numbers keep every digit they were written with
 * ({@code 3.14159265358979323846}, {@code 1e400}), which Jackson's trees would round to a double.
 * The map type of every map the command reads and writes, so that a value goes through it, from
 * the store to a dump and back, as it was. Whitespace is dropped; strings are re-escaped as Jackson
 * writes them (the same text).
 *
 * @param text one JSON value, compact
 */
@JsonSerialize(using = RawJson.Writer.class)
@JsonDeserialize(using = RawJson.Reader.class)
record RawJson(String text) {
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    /**
     * The one JSON value text holds, nothing after it.
     *
     * @throws IllegalArgumentException naming where the text stops being JSON
     */
    static RawJson parse(String text) {
        try (JsonParser parser = FACTORY.createParser(text)) {
            if (parser.nextToken() == null) {
                throw new IllegalArgumentException("no JSON value (the text is empty)");
            }
            RawJson value = copy(parser);
            if (parser.nextToken() != null) {
                throw new IllegalArgumentException("more than one JSON value: '" + parser.getText() + "' follows the first, at column "
                        + parser.currentTokenLocation().getColumnNr());
            }
            return value;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage() + " (line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr() + ")");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The value at the parser's current token, through its last token (where the parser is left), as compact text. */
    static RawJson copy(JsonParser parser) throws IOException {
        StringWriter text = new StringWriter();
        try (JsonGenerator out = FACTORY.createGenerator(text)) {
            int depth = 0;
            JsonToken token = parser.currentToken();
            while (true) {
                switch (token) {
                    case START_OBJECT -> { out.writeStartObject(); depth++; }
                    case START_ARRAY -> { out.writeStartArray(); depth++; }
                    case END_OBJECT -> { out.writeEndObject(); depth--; }
                    case END_ARRAY -> { out.writeEndArray(); depth--; }
                    case FIELD_NAME -> out.writeFieldName(parser.currentName());
                    case VALUE_STRING -> out.writeString(parser.getText());
                    // The number as written: no double, no BigDecimal in between.
                    case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> out.writeNumber(parser.getText());
                    case VALUE_TRUE -> out.writeBoolean(true);
                    case VALUE_FALSE -> out.writeBoolean(false);
                    case VALUE_NULL -> out.writeNull();
                    default -> throw new IOException("unexpected " + token + " in JSON");
                }
                if (depth == 0) {
                    break;
                }
                token = parser.nextToken();
                if (token == null) {
                    throw new IOException("the JSON ends inside an array or object");
                }
            }
        }
        return new RawJson(text.toString());
    }

    /** Writes the text as it is, into whatever Jackson is writing. */
    static final class Writer extends JsonSerializer<RawJson> {
        @Override
        public void serialize(RawJson value, JsonGenerator generator, SerializerProvider provider) throws IOException {
            generator.writeRawValue(value.text());
        }
    }

    /** Reads any stored value, exactly; instantiated by Jackson. */
    static final class Reader extends StdDeserializer<RawJson> {
        private static final long serialVersionUID = 1L;

        Reader() {
            super(RawJson.class);
        }

        @Override
        public RawJson deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            return copy(parser);
        }

        @Override
        public RawJson getNullValue(DeserializationContext context) {
            return new RawJson("null"); // a stored JSON null: Jackson asks here instead of deserialize
        }
    }
}
