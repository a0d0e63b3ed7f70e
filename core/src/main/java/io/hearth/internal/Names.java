package io.hearth.internal;

import java.nio.charset.StandardCharsets;

/** Checks names, keys and topics, and turns them into the UTF-8 bytes that are stored. */
public final class Names {
    private Names() {
    }

    /**
     * Checks text and returns it as UTF-8.
     *
     * @param what      what the text names, for the message ("key", "counter name")
     * @param maxBytes  the limit, in bytes of UTF-8
     * @param limitName the builder setting or constant behind the limit, for the message
     * @throws IllegalArgumentException if the text is null, empty, not valid Unicode, contains NUL or is over the limit
     */
    public static byte[] utf8(String text, String what, int maxBytes, String limitName) {
        check(text, what, maxBytes, limitName);
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The same checks as {@link #utf8} without building the bytes: map keys are checked on every
     * call, and counting beats encoding.
     */
    public static void check(String text, String what, int maxBytes, String limitName) {
        if (text == null) {
            throw new IllegalArgumentException(what + " must not be null");
        }
        if (text.isEmpty()) {
            throw new IllegalArgumentException(what + " must not be empty");
        }
        long bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                if (c == 0) {
                    throw new IllegalArgumentException(what + " must not contain the NUL character");
                }
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException(what + " is not valid Unicode (it has an unpaired surrogate at index " + i + ")");
            } else {
                bytes += 3;
            }
        }
        if (bytes > maxBytes) {
            throw new IllegalArgumentException(what + " is " + bytes + " bytes of UTF-8, over the limit of "
                    + maxBytes + " bytes (" + limitName + ")");
        }
    }
}
