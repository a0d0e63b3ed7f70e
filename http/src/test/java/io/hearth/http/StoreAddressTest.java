package io.hearth.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class StoreAddressTest {
    @Test
    void aPathIsAFileStoreMadeAbsolute() {
        StoreAddress address = StoreAddress.parse("data/hearth.store");
        assertThat(address.isFile()).isTrue();
        assertThat(address.argument()).isEqualTo(Path.of("data/hearth.store").toAbsolutePath().toString());
    }

    @Test
    void aRedisUriIsPassedOnWholeButShownWithoutItsPassword() {
        StoreAddress address = StoreAddress.parse("redis://user:p%40ss@cache.internal:6379/2?prefix=shop:&timeout=500ms");
        assertThat(address.isFile()).isFalse();
        assertThat(address.argument()).isEqualTo("redis://user:p%40ss@cache.internal:6379/2?prefix=shop:&timeout=500ms");
        assertThat(address.toString()).isEqualTo("redis://***@cache.internal:6379/2?prefix=shop:&timeout=500ms");
    }

    @Test
    void otherSchemesMalformedUrisAndEmptyPathsAreRefusedWithoutThePassword() {
        assertThatThrownBy(() -> StoreAddress.parse("http://u:secret@host/x"))
                .hasMessageContaining("neither a file path nor a redis:// URI").hasMessageNotContaining("secret");
        assertThatThrownBy(() -> StoreAddress.parse("redis://:secret@/0")).hasMessageContaining("names no host")
                .hasMessageNotContaining("secret");
        assertThatThrownBy(() -> StoreAddress.parse("redis://host:6379/0?a b")).hasMessageContaining("malformed");
        assertThatThrownBy(() -> StoreAddress.parse(" ")).hasMessageContaining("empty");
    }
}
