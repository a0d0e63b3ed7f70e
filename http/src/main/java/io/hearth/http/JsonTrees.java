package io.hearth.http;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.ContainerNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * JSON trees whose numbers keep their value, and how deep a tree nests.
 *
 * <p>Jackson reads a number with a fraction or an exponent as a double, which turns {@code 1e400}
 * into Infinity (then written as the string {@code "Infinity"}), {@code 1e-400} into 0.0, and cuts
 * {@code 3.14159265358979323846} short. {@link #read} keeps a number a double only when the double
 * writes back as the same value, which is what Jackson answered before ({@code 0.1}, {@code 1.0},
 * {@code 1e2} as {@code 100.0}, {@code -0.0}); any other number is kept exactly, as a decimal
 * ({@code 1E+400}). Whole numbers are int, long or BigInteger, as in Jackson.
 */
final class JsonTrees {
    /**
     * Most levels of arrays and objects a value of /objects may nest. Jackson reads and writes at most
     * 1000 ({@code StreamReadConstraints}, {@code StreamWriteConstraints}), and a reply carries the
     * value one level down or more: a value stored at 1000 could not be answered.
     */
    static final int MAX_DEPTH = 500;

    private JsonTrees() {
    }

    /**
     * The value at the parser's current token (or its next one, when it has none yet), or null at the
     * end of the input. Leaves the parser on the value's last token.
     *
     * @throws InputCoercionException if a number's exponent is beyond what a decimal holds (about 2^31)
     */
    static JsonNode read(JsonParser parser) throws IOException {
        JsonToken token = parser.currentToken() != null ? parser.currentToken() : parser.nextToken();
        if (token == null) {
            return null;
        }
        Deque<ContainerNode<?>> open = new ArrayDeque<>(); // no recursion: a deep document cannot overflow the stack
        JsonNode root = null;
        while (true) {
            if (token == JsonToken.END_OBJECT || token == JsonToken.END_ARRAY) {
                open.pop();
            } else if (token != JsonToken.FIELD_NAME) {
                JsonNode node = node(parser, token);
                ContainerNode<?> parent = open.peek();
                if (parent == null) {
                    root = node;
                } else if (parent instanceof ObjectNode object) {
                    object.set(parser.currentName(), node);
                } else {
                    ((ArrayNode) parent).add(node);
                }
                if (node instanceof ContainerNode<?> container) {
                    open.push(container);
                }
            }
            if (open.isEmpty()) {
                return root;
            }
            token = parser.nextToken();
            if (token == null) {
                throw new JsonEOFException(parser, null, "the input ends inside an array or object");
            }
        }
    }

    /** How many levels of arrays and objects node nests: 0 for a number or string, 1 for {@code []} or {@code {"a":1}}. */
    static int depth(JsonNode node) {
        int depth = 0;
        List<JsonNode> level = List.of(node);
        while (true) {
            List<JsonNode> below = new ArrayList<>();
            boolean containers = false;
            for (JsonNode each : level) {
                if (each.isContainerNode()) {
                    containers = true;
                    each.forEach(below::add);
                }
            }
            if (!containers) {
                return depth;
            }
            depth++;
            level = below;
        }
    }

    private static JsonNode node(JsonParser parser, JsonToken token) throws IOException {
        return switch (token) {
            case START_OBJECT -> JsonNodeFactory.instance.objectNode();
            case START_ARRAY -> JsonNodeFactory.instance.arrayNode();
            case VALUE_STRING -> TextNode.valueOf(parser.getText());
            case VALUE_NUMBER_INT -> switch (parser.getNumberType()) {
                case INT -> IntNode.valueOf(parser.getIntValue());
                case LONG -> LongNode.valueOf(parser.getLongValue());
                default -> BigIntegerNode.valueOf(parser.getBigIntegerValue());
            };
            case VALUE_NUMBER_FLOAT -> fraction(parser);
            case VALUE_TRUE -> BooleanNode.TRUE;
            case VALUE_FALSE -> BooleanNode.FALSE;
            case VALUE_NULL -> NullNode.getInstance();
            default -> throw new JsonParseException(parser, "unexpected " + token + " in JSON");
        };
    }

    /** A number with a fraction or an exponent: a double when that keeps its value, else its exact decimal. */
    private static JsonNode fraction(JsonParser parser) throws IOException {
        String text = parser.getText();
        BigDecimal exact;
        try {
            exact = new BigDecimal(text);
        } catch (NumberFormatException e) {
            throw new InputCoercionException(parser, "the number " + Requests.printable(text)
                    + " has an exponent beyond what a decimal holds (" + e.getMessage() + ")", JsonToken.VALUE_NUMBER_FLOAT, BigDecimal.class);
        }
        double rounded = Double.parseDouble(text);
        // Double.toString is what Jackson writes for a double: equal in value means nothing is lost.
        if (Double.isFinite(rounded) && new BigDecimal(Double.toString(rounded)).compareTo(exact) == 0) {
            return DoubleNode.valueOf(rounded);
        }
        return DecimalNode.valueOf(exact);
    }
}
