package io.hearth.cli;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Input read as UTF-8, strictly: bytes that are not UTF-8 are refused, never replaced. */
final class Utf8 {
    private Utf8() {
    }

    static String decode(byte[] bytes, String what) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw CliException.usage(what + " is not UTF-8 text (" + e.getMessage() + ")");
        }
    }
}
