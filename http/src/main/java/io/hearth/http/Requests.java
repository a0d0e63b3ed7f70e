package io.hearth.http;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hearth.JsonBytes;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.PathTemplateMatch;
import java.util.Deque;
import java.util.regex.Pattern;

/**
 * Reading a request: path parameters, query parameters and JSON bodies, each checked before any
 * store call, each percent-decoded here ({@link PercentDecoding}: the server leaves URLs as sent).
 * The URL charset is documented in http/README.md: names (maps, counters, topics)
 * {@code [A-Za-z0-9._~-]}, 1 to 64 characters; keys anything the store takes (any Unicode text up to
 * its key limit, {@code /} sent as {@code %2F}), but not {@code .} or {@code ..}, which clients and
 * proxies rewrite as path steps; both after percent-decoding.
 */
final class Requests {
    static final int MAX_NAME_CHARS = 64;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._~-]{1," + MAX_NAME_CHARS + "}");

    private Requests() {
    }

    /** The path parameter, checked as a name (what: "counter name", "map name", "topic"). */
    static String name(HttpServerExchange exchange, String parameter, String what) {
        return checkName(pathParameter(exchange, parameter), what);
    }

    static String checkName(String value, String what) {
        if (!NAME.matcher(value).matches() || value.equals(".") || value.equals("..")) {
            throw HttpError.badRequest(what + " '" + printable(value) + "' is not 1 to " + MAX_NAME_CHARS
                    + " characters of A-Z a-z 0-9 . _ ~ - (and not . or ..)");
        }
        return value;
    }

    /**
     * The path parameter, decoded, as a map key: the store checks its length and text (a 400 naming
     * the limit); here only what HTTP cannot carry is refused.
     */
    static String key(HttpServerExchange exchange, String parameter) {
        String value = PercentDecoding.pathSegment(rawPathParameter(exchange, parameter), "key");
        if (value.isEmpty() || value.equals(".") || value.equals("..")) {
            throw HttpError.badRequest("key '" + printable(value) + "' cannot be named in a URL: a key over HTTP is"
                    + " not empty, . or .. (clients and proxies rewrite those as path steps)");
        }
        return value;
    }

    /** A key prefix for listing: empty, or any text a key may start with (the keys that do are listed). */
    static String prefix(HttpServerExchange exchange) {
        String value = query(exchange, "prefix", "");
        if (value.indexOf('\0') >= 0) {
            throw HttpError.badRequest("prefix '" + printable(value) + "' holds NUL, which no key holds");
        }
        return value;
    }

    /** The single value of a query parameter, or fallback when it is absent. */
    static String query(HttpServerExchange exchange, String parameter, String fallback) {
        Deque<String> values = exchange.getQueryParameters().get(parameter);
        if (values == null || values.isEmpty()) {
            return fallback;
        }
        if (values.size() > 1) {
            throw HttpError.badRequest("query parameter '" + parameter + "' is given " + values.size() + " times; give it once");
        }
        return PercentDecoding.queryValue(values.getFirst(), "query parameter '" + parameter + "'");
    }

    /** A whole-number query parameter within [min, max]. */
    static long longQuery(HttpServerExchange exchange, String parameter, long fallback, long min, long max) {
        String text = query(exchange, parameter, null);
        if (text == null) {
            return fallback;
        }
        long value;
        try {
            value = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw HttpError.badRequest("query parameter '" + parameter + "' is '" + printable(text) + "', not a whole number");
        }
        if (value < min || value > max) {
            throw HttpError.badRequest("query parameter '" + parameter + "' is " + value + ", not from " + min + " to " + max);
        }
        return value;
    }

    /**
     * The request body as JSON, its numbers kept exactly ({@link JsonTrees}); 400 when it is empty,
     * not JSON, more than one JSON value, JSON null, or holds a number no decimal holds.
     */
    static JsonNode json(HttpServerExchange exchange, ObjectMapper mapper) {
        byte[] body = exchange.getAttachment(ReadBody.BODY);
        if (body == null || body.length == 0) {
            throw HttpError.badRequest("the request needs a JSON body");
        }
        JsonNode node;
        try (JsonParser parser = mapper.createParser(body)) {
            node = JsonTrees.read(parser);
            if (node != null && parser.nextToken() != null) {
                throw new HttpError(400, "invalid_json", "the body holds more than one JSON value; send one");
            }
        } catch (java.io.IOException e) {
            throw unreadable(e);
        }
        if (node == null) {
            throw HttpError.badRequest("the request needs a JSON body");
        }
        if (node.isNull()) {
            throw HttpError.badRequest("the body is JSON null; store a value, or DELETE the entry");
        }
        return node;
    }

    /**
     * The body as one JSON value to store as it came: checked in a pass of the parser, without
     * building a tree, for what {@link #json} refuses (no body, JSON null, more than one value, a
     * number no decimal holds) and for nesting past {@link JsonTrees#MAX_DEPTH}; then kept as its bytes by
     * {@link JsonBytes#of(byte[])}, whose own pass refuses what is not UTF-8.
     */
    static JsonBytes jsonBytes(HttpServerExchange exchange, ObjectMapper mapper) {
        byte[] body = exchange.getAttachment(ReadBody.BODY);
        if (body == null || body.length == 0) {
            throw HttpError.badRequest("the request needs a JSON body");
        }
        int deepest = 0;
        try (JsonParser parser = mapper.createParser(body)) {
            JsonToken token = parser.nextToken();
            if (token == null) {
                throw HttpError.badRequest("the request needs a JSON body");
            }
            if (token == JsonToken.VALUE_NULL) {
                throw HttpError.badRequest("the body is JSON null; store a value, or DELETE the entry");
            }
            int depth = 0;
            while (true) {
                if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
                    deepest = Math.max(deepest, ++depth);
                } else if (token == JsonToken.END_OBJECT || token == JsonToken.END_ARRAY) {
                    depth--;
                } else if (token == JsonToken.VALUE_NUMBER_FLOAT) {
                    checkExponent(parser);
                }
                if (depth == 0) {
                    break;
                }
                token = parser.nextToken(); // the parser throws at an end inside an array or object
            }
            if (parser.nextToken() != null) {
                throw new HttpError(400, "invalid_json", "the body holds more than one JSON value; send one");
            }
        } catch (java.io.IOException e) {
            throw unreadable(e);
        }
        if (deepest > JsonTrees.MAX_DEPTH) {
            throw new HttpError(400, "too_deep", "the value would nest " + deepest + " levels of arrays and objects;"
                    + " the limit is " + JsonTrees.MAX_DEPTH + " levels. Nothing was written");
        }
        try {
            return JsonBytes.of(body);
        } catch (IllegalArgumentException e) {
            throw new HttpError(400, "invalid_json", "the body is not stored as it is: " + e.getMessage());
        }
    }

    /** Why a body did not read as JSON, as the 400 that says so. */
    private static HttpError unreadable(java.io.IOException e) {
        if (e instanceof InputCoercionException coercion) {
            return new HttpError(400, "number_out_of_range", coercion.getOriginalMessage());
        }
        String why = e instanceof JacksonException jackson ? jackson.getOriginalMessage() : e.getMessage();
        return new HttpError(400, "invalid_json", "the body is not valid JSON: " + why);
    }

    /** A number whose exponent no decimal holds (about 2^31) could be stored, but never patched or read as a tree. */
    private static void checkExponent(JsonParser parser) throws java.io.IOException {
        String text = parser.getText();
        if (text.indexOf('e') < 0 && text.indexOf('E') < 0) {
            return;
        }
        try {
            new java.math.BigDecimal(text);
        } catch (NumberFormatException e) {
            throw new InputCoercionException(parser, "the number " + printable(text)
                    + " has an exponent beyond what a decimal holds (" + e.getMessage() + ")",
                    JsonToken.VALUE_NUMBER_FLOAT, java.math.BigDecimal.class);
        }
    }

    private static String pathParameter(HttpServerExchange exchange, String parameter) {
        return PercentDecoding.pathSegment(rawPathParameter(exchange, parameter), parameter);
    }

    private static String rawPathParameter(HttpServerExchange exchange, String parameter) {
        PathTemplateMatch match = exchange.getAttachment(PathTemplateMatch.ATTACHMENT_KEY);
        String value = match == null ? null : match.getParameters().get(parameter);
        return value == null ? "" : value;
    }

    /** Echoes client text in a message without letting it forge lines or grow without bound. */
    static String printable(String text) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length() && out.length() < 80; i++) {
            char c = text.charAt(i);
            out.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\u%04x", (int) c));
        }
        return text.length() > 80 ? out + "..." : out.toString();
    }
}
