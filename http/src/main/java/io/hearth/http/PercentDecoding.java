package io.hearth.http;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Percent-decoding of path segments and query values as UTF-8 (RFC 3986), done here rather than by
 * Undertow, so that an encoded slash in a key ({@code %2F}) is a slash in the key and never a path
 * separator, and so that broken escapes and bytes that are not UTF-8 are refused instead of
 * silently replaced.
 */
final class PercentDecoding {
    private PercentDecoding() {
    }

    /** A path segment: {@code %XX} escapes only; '+' is itself. */
    static String pathSegment(String raw, String what) {
        return decode(raw, false, what);
    }

    /** A query value: {@code %XX} escapes, and '+' for a space, as HTML forms write it. */
    static String queryValue(String raw, String what) {
        return decode(raw, true, what);
    }

    private static String decode(String raw, boolean plusIsSpace, String what) {
        if (raw.indexOf('%') < 0 && !(plusIsSpace && raw.indexOf('+') >= 0)) {
            return raw;
        }
        ByteBuffer bytes = ByteBuffer.allocate(raw.length() * 3);
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                int high = i + 1 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
                int low = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 2), 16) : -1;
                if (high < 0 || low < 0) {
                    throw HttpError.badRequest(what + " '" + Requests.printable(raw) + "' has a broken percent-escape at "
                            + "character " + (i + 1) + ": % must be followed by two hexadecimal digits");
                }
                bytes.put((byte) (high << 4 | low));
                i += 2;
            } else if (c == '+' && plusIsSpace) {
                bytes.put((byte) ' ');
            } else {
                bytes.put(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            }
        }
        bytes.flip();
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(bytes).toString();
        } catch (CharacterCodingException e) {
            throw HttpError.badRequest(what + " '" + Requests.printable(raw) + "' decodes to bytes that are not UTF-8");
        }
    }
}
