package io.hearth.internal;

import io.hearth.HearthException;
import io.hearth.JsonBytes;
import io.hearth.ValueTooLargeException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import java.io.IOException;

/** Values to JSON bytes and back, with the store's size limit. One per store: no shared mapper. */
public final class Json {
    private final ObjectMapper mapper;
    private final int maxValueBytes;

    public Json(ObjectMapper mapper, int maxValueBytes) {
        this.mapper = mapper;
        this.maxValueBytes = maxValueBytes;
    }

    public byte[] encode(Object value) {
        if (value == null) {
            throw new IllegalArgumentException("value must not be null");
        }
        byte[] json;
        try {
            // JsonBytes are stored as they are, whatever the mapper would make of them.
            json = value instanceof JsonBytes bytes ? bytes.toByteArray() : mapper.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("value of type " + value.getClass().getName()
                    + " cannot be written as JSON: " + e.getOriginalMessage(), e);
        }
        if (json.length > maxValueBytes) {
            throw new ValueTooLargeException("value as JSON", json.length, maxValueBytes, "maxValueBytes");
        }
        return json;
    }

    /** A reader for type, made once per map: it skips the mapper's per-call type lookup. */
    public ObjectReader readerFor(Class<?> type) {
        return mapper.readerFor(type);
    }

    @SuppressWarnings("unchecked")
    public <V> V decode(byte[] json, ObjectReader reader, String where) {
        try {
            if (reader.getValueType().hasRawClass(JsonBytes.class)) {
                return (V) JsonBytes.of(json);
            }
            return reader.readValue(json);
        } catch (IOException | IllegalArgumentException e) {
            throw new HearthException(where + " holds JSON that does not read as " + reader.getValueType()
                    + ": " + e.getMessage(), e);
        }
    }

    public JsonNode tree(byte[] json) {
        try {
            return mapper.readTree(json);
        } catch (IOException e) {
            throw new HearthException("stored JSON does not parse: " + e.getMessage(), e);
        }
    }
}
