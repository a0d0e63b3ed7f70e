package io.hearth.http;

import io.hearth.Versioned;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HttpString;
import java.util.HashSet;
import java.util.Set;

/**
 * {@code If-Match} / {@code If-None-Match} against an entry's version. An entity tag is the
 * version in quotes, {@code "42"}; versions are unique in the store and never reused, so a tag
 * names exactly one write. If-Match compares strongly (a weak tag never matches), as RFC 9110 says.
 *
 * @param any      the header was {@code *}
 * @param versions the versions the header names
 */
record EntityTags(boolean any, Set<Long> versions) {
    static String of(long version) {
        return "\"" + version + "\"";
    }

    /** The header's tags, or null when the request has no such header; 400 when it does not parse. */
    static EntityTags parse(HttpServerExchange exchange, HttpString header, boolean weakMatches) {
        var values = exchange.getRequestHeaders().get(header);
        if (values == null || values.isEmpty()) {
            return null;
        }
        String text = String.join(",", values).trim();
        if (text.equals("*")) {
            return new EntityTags(true, Set.of());
        }
        Set<Long> versions = new HashSet<>();
        for (String raw : text.split(",", -1)) {
            String tag = raw.trim();
            boolean weak = tag.startsWith("W/");
            if (weak) {
                tag = tag.substring(2);
            }
            if (tag.length() < 2 || tag.charAt(0) != '"' || tag.charAt(tag.length() - 1) != '"' || tag.indexOf('"', 1) != tag.length() - 1) {
                throw HttpError.badRequest(header + " must be * or a list of quoted entity tags such as \"42\", not '"
                        + Requests.printable(text) + "'");
            }
            if (weak && !weakMatches) {
                continue;
            }
            try {
                versions.add(Long.parseLong(tag.substring(1, tag.length() - 1)));
            } catch (NumberFormatException e) {
                // a tag that is no version of ours matches nothing
            }
        }
        return new EntityTags(false, Set.copyOf(versions));
    }

    /** Whether the current entry (null: none) is one of these tags. */
    boolean matches(Versioned<?> current) {
        return current != null && (any || versions.contains(current.version()));
    }
}
