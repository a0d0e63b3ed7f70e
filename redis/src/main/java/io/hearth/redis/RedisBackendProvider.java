package io.hearth.redis;

import io.hearth.spi.StoreBackend;
import io.hearth.spi.StoreBackendProvider;
import io.hearth.spi.StoreOptions;
import java.net.URI;

/**
 * Opens Hearth stores in Redis: {@code SharedStore.open(URI.create("redis://host:6379/0"))} finds it
 * through {@link java.util.ServiceLoader}. The URI is
 * {@code redis://[[user]:password@]host[:port][/db][?option=value&...]}; the options and their
 * defaults are in this module's README.
 */
public final class RedisBackendProvider implements StoreBackendProvider {
    /** For {@link java.util.ServiceLoader}. */
    public RedisBackendProvider() {
    }

    @Override
    public String scheme() {
        return "redis";
    }

    /** Limits come from the URI's options; the builder's options are for the file store and are not used here. */
    @Override
    public StoreBackend open(URI uri, StoreOptions options) {
        return RedisBackend.open(RedisSettings.parse(uri));
    }
}
