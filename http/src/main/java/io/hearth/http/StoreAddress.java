package io.hearth.http;

import io.hearth.SharedStore;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The {@code -s} option: a store file path, or a {@code redis://} URI that {@link SharedStore#open(URI)}
 * hands to the Redis backend. Parsed once, the same way in the supervisor and in each worker.
 */
final class StoreAddress {
    private final Path file;
    private final URI uri;

    private StoreAddress(Path file, URI uri) {
        this.file = file;
        this.uri = uri;
    }

    static StoreAddress file(Path path) {
        return new StoreAddress(Objects.requireNonNull(path, "store").toAbsolutePath(), null);
    }

    static StoreAddress redis(URI uri) {
        if (!"redis".equals(uri.getScheme()) || uri.isOpaque()) {
            throw new IllegalArgumentException("store " + redact(uri) + " is not a redis://host:port/db URI");
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("store " + redact(uri) + " names no host: use redis://host:port/db");
        }
        return new StoreAddress(null, uri);
    }

    /** A path, or a URI when value has a scheme; the backend checks the URI's options strictly when it opens. */
    static StoreAddress parse(String value) {
        if (value.isBlank()) {
            throw new IllegalArgumentException("store path is empty");
        }
        if (!value.contains("://")) {
            return file(Path.of(value));
        }
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("store URI is malformed at index " + e.getIndex() + ": " + e.getReason());
        }
        if (!"redis".equals(uri.getScheme())) {
            throw new IllegalArgumentException("store " + redact(uri) + " is neither a file path nor a redis:// URI");
        }
        return redis(uri);
    }

    boolean isFile() {
        return file != null;
    }

    SharedStore open() {
        return isFile() ? SharedStore.open(file) : SharedStore.open(uri);
    }

    /** The value a worker's {@code --store} gets. */
    String argument() {
        return isFile() ? file.toString() : uri.toString();
    }

    /** For logs and messages: never the password. */
    @Override
    public String toString() {
        return isFile() ? file.toString() : redact(uri);
    }

    private static String redact(URI uri) {
        // The raw authority, not getUserInfo(): a URI without a host has no parsed user info.
        String authority = uri.getRawAuthority();
        int at = authority == null ? -1 : authority.lastIndexOf('@');
        return at < 0 ? uri.toString() : uri.toString().replace(authority, "***" + authority.substring(at));
    }
}
