package io.hearth.spi;

import java.net.URI;

/**
 * Opens backends for one URI scheme; registered in
 * {@code META-INF/services/io.hearth.spi.StoreBackendProvider}.
 */
public interface StoreBackendProvider {
    /** The URI scheme this provider opens, such as {@code "redis"}. */
    String scheme();

    /**
     * Opens the store at uri. Failures to reach it throw {@link io.hearth.HearthException} naming
     * the host and port; bad URIs throw {@link IllegalArgumentException}.
     */
    StoreBackend open(URI uri);
}
