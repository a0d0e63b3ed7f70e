package io.hearth.http;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.node.NullNode;
import java.io.IOException;

/**
 * A value of /objects as the store keeps it: its JSON tree, written as itself, and read back with
 * {@link JsonTrees#read} whatever {@code ObjectMapper} the store was opened with, so that a number
 * a double cannot hold (1e400) reads back as it was written instead of as Infinity.
 */
@JsonDeserialize(using = StoredValue.Reader.class)
final class StoredValue {
    private final JsonNode tree;

    StoredValue(JsonNode tree) {
        this.tree = tree;
    }

    @JsonValue
    public JsonNode tree() {
        return tree;
    }

    /** Reads a stored value with {@link JsonTrees#read}; instantiated by Jackson. */
    static final class Reader extends StdDeserializer<StoredValue> {
        private static final long serialVersionUID = 1L;

        Reader() {
            super(StoredValue.class);
        }

        @Override
        public StoredValue deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            return new StoredValue(JsonTrees.read(parser));
        }

        @Override
        public StoredValue getNullValue(DeserializationContext context) {
            return new StoredValue(NullNode.getInstance()); // JSON null, stored by some other program
        }
    }
}
