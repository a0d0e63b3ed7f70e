package io.hearth.testkit;

import io.hearth.SharedStore;

import java.net.URI;
import java.nio.file.Path;

/**
 * Opens the store a contract test names: a URI with a scheme ({@code redis://...}) through
 * {@link SharedStore#open(URI)}, anything else as a file path. Child JVMs get the same text.
 */
public final class Stores {
    private Stores() {
    }

    public static SharedStore open(String store) {
        return hasScheme(store) ? SharedStore.open(URI.create(store)) : SharedStore.open(Path.of(store));
    }

    public static boolean hasScheme(String store) {
        return store.matches("[a-zA-Z][a-zA-Z0-9+.-]*://.*");
    }
}
