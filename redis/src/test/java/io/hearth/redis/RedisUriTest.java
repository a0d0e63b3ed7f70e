package io.hearth.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.hearth.spi.BackendLimits;
import io.hearth.spi.StoreOptions;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The redis:// URI: defaults, every option, and strict refusals that never repeat the password. */
class RedisUriTest {
    @Test
    void aBareUriGetsEveryDefault() {
        RedisSettings settings = RedisSettings.parse(URI.create("redis://cache.internal"));
        assertThat(settings.host()).isEqualTo("cache.internal");
        assertThat(settings.port()).isEqualTo(6379);
        assertThat(settings.database()).isZero();
        assertThat(settings.user()).isNull();
        assertThat(settings.password()).isNull();
        assertThat(settings.timeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(settings.connectTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(settings.poolSize()).isEqualTo(8);
        assertThat(settings.prefix()).isEqualTo("hearth:");
        assertThat(settings.limits()).isEqualTo(new BackendLimits(256, 65536, 16384, 64, 112, 96));
        assertThat(settings.maxEntries()).isZero();
        assertThat(settings.maxCounters()).isZero();
        assertThat(settings.lease()).isEqualTo(Duration.ofSeconds(2));
        assertThat(settings.location()).isEqualTo("redis://cache.internal:6379/0");
    }

    @Test
    void everyOptionIsRead() {
        RedisSettings settings = RedisSettings.parse(URI.create("redis://app:s%3Acret@10.0.0.5:6380/3?timeout=250ms"
                + "&connectTimeout=1s&pool=32&prefix=shop:&maxKeyBytes=100&maxValueBytes=2048&maxBroadcastBytes=512"
                + "&maxEntries=1000&maxCounters=64&lease=500ms"));
        assertThat(settings.user()).isEqualTo("app");
        assertThat(settings.password()).isEqualTo("s:cret");
        assertThat(settings.port()).isEqualTo(6380);
        assertThat(settings.database()).isEqualTo(3);
        assertThat(settings.timeout()).isEqualTo(Duration.ofMillis(250));
        assertThat(settings.connectTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(settings.poolSize()).isEqualTo(32);
        assertThat(settings.prefix()).isEqualTo("shop:");
        assertThat(settings.limits()).isEqualTo(new BackendLimits(100, 2048, 512, 64, 112, 96));
        assertThat(settings.maxEntries()).isEqualTo(1000);
        assertThat(settings.maxCounters()).isEqualTo(64);
        assertThat(settings.lease()).isEqualTo(Duration.ofMillis(500));
        assertThat(settings.location()).isEqualTo("redis://10.0.0.5:6380/3?prefix=shop:").doesNotContain("cret");
        assertThat(settings.toString()).doesNotContain("cret");
    }

    @Test
    void aPasswordWithoutUserIsRead() {
        RedisSettings settings = RedisSettings.parse(URI.create("redis://:secret@127.0.0.1"));
        assertThat(settings.user()).isNull();
        assertThat(settings.password()).isEqualTo("secret");
    }

    @Test
    void malformedUrisAreRefusedNamingTheProblemWithoutThePassword() {
        assertRefused("http://127.0.0.1:6379", "not a redis:// URI");
        assertRefused("redis:127.0.0.1", "must be redis://host");
        assertRefused("redis://127.0.0.1:notaport/0", "no host, or a port that is not a number");
        assertRefused("redis://127.0.0.1:70000", "port must be from 1 to 65535, was 70000");
        assertRefused("redis://127.0.0.1/zero", "database must be a number");
        assertRefused("redis://127.0.0.1/0/extra", "database must be a number");
        assertRefused("redis://127.0.0.1/0#frag", "fragment");
        assertRefused("redis://user@127.0.0.1", "[user]:password@");
        assertRefused("redis://127.0.0.1?tiemout=2s", "unknown Redis URI option 'tiemout'");
        assertRefused("redis://127.0.0.1?timeout=2", "number with unit ms, s or m");
        assertRefused("redis://127.0.0.1?timeout=0ms", "from 1ms to 10m");
        assertRefused("redis://127.0.0.1?pool=0", "pool must be from 1 to 1024, was 0");
        assertRefused("redis://127.0.0.1?pool=8&pool=9", "'pool' is given twice");
        assertRefused("redis://127.0.0.1?maxValueBytes=big", "maxValueBytes must be a whole number");
        assertRefused("redis://127.0.0.1?maxKeyBytes=5000", "maxKeyBytes must be from 1 to 4096, was 5000");
        assertRefused("redis://127.0.0.1?prefix=a%20b", "prefix must be 1 to 128 characters without spaces");
        assertRefused("redis://127.0.0.1?timeout", "must be name=value");
        assertRefused("redis://127.0.0.1?lease=99ms", "lease must be from 100ms to 10m, was 99ms");
        assertRefused("redis://127.0.0.1?lease=11m", "from 1ms to 10m");
        IllegalArgumentException withPassword = assertRefused("redis://app:hunter2@127.0.0.1?pool=x", "pool must be a whole number");
        assertThat(withPassword).hasMessageContaining("redis://***@127.0.0.1").hasMessageNotContaining("hunter2");
    }

    private static IllegalArgumentException assertRefused(String uri, String messagePart) {
        IllegalArgumentException thrown = catchThrowableOfType(IllegalArgumentException.class,
                () -> new RedisBackendProvider().open(URI.create(uri), StoreOptions.DEFAULTS));
        assertThat(thrown).as(uri).isNotNull().hasMessageContaining(messagePart);
        return thrown;
    }
}
