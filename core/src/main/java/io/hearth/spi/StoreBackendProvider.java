package io.hearth.spi;

import io.hearth.StoreCheck;
import java.net.URI;

/**
 * Opens backends for one URI scheme; registered in
 * {@code META-INF/services/io.hearth.spi.StoreBackendProvider}. Module {@code file} provides
 * {@code file}, module {@code redis} provides {@code redis}.
 */
public interface StoreBackendProvider {
    /** The URI scheme this provider opens, such as {@code "redis"}. */
    String scheme();

    /**
     * Opens the store at uri, creating it with options when it does not exist and the backend
     * creates stores. Failures to reach it throw {@link io.hearth.HearthException} naming the file,
     * or the host and port; bad URIs throw {@link IllegalArgumentException}.
     */
    StoreBackend open(URI uri, StoreOptions options);

    /**
     * Checks the integrity of the store at uri without repairing or changing anything, so the
     * report shows what a crash left behind; see {@link StoreCheck}.
     *
     * @throws UnsupportedOperationException if this backend has no such check
     */
    default StoreCheck.Report check(URI uri) {
        throw new UnsupportedOperationException("the " + scheme() + " backend has no integrity check; " + uri + " was not checked");
    }
}
