package io.hearth.file;

import io.hearth.spi.StoreBackend;
import io.hearth.spi.StoreBackendProvider;
import io.hearth.spi.StoreOptions;
import java.net.URI;

/**
 * Test scheme {@code unchecked-file:///path}: the file store at path, opened without first checking
 * the JVM options, so that a child JVM lacking one shows what Chronicle itself does without it
 * ({@link JvmOptionsNeededTest}). Registered in this module's test resources only.
 */
public final class UncheckedFileBackendProvider implements StoreBackendProvider {
    static final String SCHEME = "unchecked-file";

    @Override
    public String scheme() {
        return SCHEME;
    }

    @Override
    public StoreBackend open(URI uri, StoreOptions options) {
        return FileBackendProvider.openWithoutCheckingJvmOptions(URI.create("file" + uri.toString().substring(SCHEME.length())), options);
    }
}
