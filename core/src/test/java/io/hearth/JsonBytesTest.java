package io.hearth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JsonBytesTest {
    record Envelope(String id, JsonBytes body) {
    }

    @Test
    void oneJsonValueIsKeptByteForByteWithItsWhitespaceAndNumberSpelling() {
        String text = " { \"big\" : 1e400, \"list\": [1, 2.50] }\n";
        JsonBytes json = JsonBytes.of(text);
        assertThat(json.toString()).isEqualTo(text);
        assertThat(json.length()).isEqualTo(text.getBytes(StandardCharsets.UTF_8).length);
        assertThat(json).isEqualTo(JsonBytes.of(text.getBytes(StandardCharsets.UTF_8))).hasSameHashCodeAs(JsonBytes.of(text));
        assertThat(json).isNotEqualTo(JsonBytes.of("{\"big\":1e400,\"list\":[1,2.50]}"));
    }

    @Test
    void theBytesAreCopiedInAndOutSoNoCallerCanChangeAValue() {
        byte[] source = "[1]".getBytes(StandardCharsets.UTF_8);
        JsonBytes json = JsonBytes.of(source);
        source[1] = '2';
        byte[] copy = json.toByteArray();
        copy[1] = '3';
        ByteBuffer buffer = json.asReadOnlyBuffer();
        assertThat(buffer.isReadOnly()).isTrue();
        assertThat(json.toString()).isEqualTo("[1]");
    }

    @Test
    void whatIsNotExactlyOneWellFormedUtf8JsonValueIsRefusedWithTheProblemNamed() {
        assertThatThrownBy(() -> JsonBytes.of("")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("hold none");
        assertThatThrownBy(() -> JsonBytes.of("  \n")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("hold none");
        assertThatThrownBy(() -> JsonBytes.of("{\"a\":")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not well-formed JSON");
        assertThatThrownBy(() -> JsonBytes.of("{\"a\":1} {\"b\":2}")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("hold more, the next at byte 8");
        assertThatThrownBy(() -> JsonBytes.of("\"a\"".getBytes(StandardCharsets.UTF_16LE))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("UTF-8 without a byte order mark");
        assertThatThrownBy(() -> JsonBytes.of("\uFEFF1")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("byte order mark");
        assertThatThrownBy(() -> JsonBytes.of((byte[]) null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void insideAnotherValueItIsWrittenAsTheJsonItHoldsAndReadBackFromIt() throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        String written = mapper.writeValueAsString(new Envelope("e1", JsonBytes.of("{\"a\": [1, true]}")));
        assertThat(written).isEqualTo("{\"id\":\"e1\",\"body\":{\"a\": [1, true]}}");
        Envelope read = mapper.readValue(written, Envelope.class);
        assertThat(read.body()).isEqualTo(JsonBytes.of("{\"a\":[1,true]}")); // compact once it went through a tree
    }
}
