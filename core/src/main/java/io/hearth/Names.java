package io.hearth;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Checks names, keys and topics, and turns them into the UTF-8 bytes that are stored. */
final class Names {
    private Names() {
    }

    /**
     * @param what     what the text names, for the message ("key", "counter name")
     * @param maxBytes the limit, in bytes of UTF-8
     * @param limitName the builder setting or constant behind the limit, for the message
     * @return the text as UTF-8
     * @throws IllegalArgumentException if the text is null, empty, not valid Unicode, contains NUL or is over the limit
     */
    static byte[] utf8(String text, String what, int maxBytes, String limitName) {
        if (text == null) {
            throw new IllegalArgumentException(what + " must not be null");
        }
        if (text.isEmpty()) {
            throw new IllegalArgumentException(what + " must not be empty");
        }
        if (text.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(what + " must not contain the NUL character");
        }
        byte[] bytes;
        try {
            ByteBuffer encoded = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(text));
            bytes = new byte[encoded.remaining()];
            encoded.get(bytes);
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(what + " is not valid Unicode (it has an unpaired surrogate)", e);
        }
        if (bytes.length > maxBytes) {
            throw new IllegalArgumentException(what + " is " + bytes.length + " bytes of UTF-8, over the limit of "
                    + maxBytes + " bytes (" + limitName + ")");
        }
        return bytes;
    }
}
