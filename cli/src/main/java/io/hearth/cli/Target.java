package io.hearth.cli;

import io.hearth.SharedStore;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * The store a command works on, the first parameter: a file path ({@code data/hearth.store}), a
 * {@code file:///path} URI, or a {@code redis://[:password@]host:port/db[?options]} URI. Opening a
 * file store that does not exist creates one only when asked ({@code load}); every other command
 * refuses it, so a mistyped path leaves no stray store behind.
 */
final class Target {
    private final Path file;
    private final URI uri;

    private Target(Path file, URI uri) {
        this.file = file;
        this.uri = uri;
    }

    /** @throws CliException (usage) when text is neither a path nor a redis:// or file:// URI */
    static Target parse(String text) {
        if (text == null || text.isBlank()) {
            throw CliException.usage("no store given: the first parameter is a store file path or a redis:// URI (see --help)");
        }
        if (!text.contains("://")) {
            try {
                return new Target(Path.of(text).toAbsolutePath(), null);
            } catch (InvalidPathException e) {
                throw CliException.usage("store path '" + text + "' is not a path: " + e.getReason());
            }
        }
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw CliException.usage("store URI is malformed at index " + e.getIndex() + ": " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme();
        switch (scheme) {
            case "file" -> {
                if (uri.getRawAuthority() != null || uri.getRawQuery() != null || uri.getRawFragment() != null) {
                    throw CliException.usage("a file store URI is file:///path, with no host, query or fragment: " + text);
                }
                return new Target(Path.of(uri).toAbsolutePath(), null);
            }
            case "redis" -> {
                if (uri.isOpaque() || uri.getHost() == null) {
                    throw CliException.usage("store " + redacted(uri) + " names no host: use redis://host:port/db");
                }
                return new Target(null, uri);
            }
            default -> throw CliException.usage("store '" + scheme + "://...' is neither a file path nor a redis:// URI");
        }
    }

    boolean isFile() {
        return file != null;
    }

    /** The file store's path; only when {@link #isFile()}. */
    Path file() {
        return file;
    }

    /**
     * Opens the store. A file store must exist unless create is true.
     *
     * @throws CliException (store) when there is no store file at the path, or it is a directory
     */
    SharedStore open(boolean create) {
        if (!isFile()) {
            return SharedStore.open(uri);
        }
        if (Files.isDirectory(file)) {
            throw CliException.store(file + " is a directory, not a store file");
        }
        if (!create && !Files.exists(file)) {
            throw CliException.store("no store at " + file + " (nothing was created; 'load' creates a store)");
        }
        if (!create && isEmptyFile()) {
            // Opening would make a store in it: a file nobody made a store in, or a first start cut short.
            throw CliException.store(file + " is an empty file, not a store (nothing was changed; 'load' makes a store in it)");
        }
        return SharedStore.open(file);
    }

    /** Requires that the file store exists (for commands that never open it, such as check). */
    void requireExistingFile() {
        if (Files.isDirectory(file)) {
            throw CliException.store(file + " is a directory, not a store file");
        }
        if (!Files.exists(file)) {
            throw CliException.store("no store at " + file + " (nothing was checked or created)");
        }
    }

    private boolean isEmptyFile() {
        try {
            return Files.size(file) == 0;
        } catch (IOException e) {
            throw CliException.store("cannot read the size of " + file + ": " + e);
        }
    }

    /** For messages: never the password. */
    @Override
    public String toString() {
        return isFile() ? file.toString() : redacted(uri);
    }

    private static String redacted(URI uri) {
        String authority = uri.getRawAuthority();
        int at = authority == null ? -1 : authority.lastIndexOf('@');
        return at < 0 ? uri.toString() : uri.toString().replace(authority, "***" + authority.substring(at));
    }
}
