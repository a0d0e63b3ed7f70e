package io.hearth.file;

/**
 * Every map of a store shares one entries file: an entry's key there is its map's name, NUL, and
 * its key. Map names cannot contain NUL, so a composite key splits one way only.
 */
final class CompositeKeys {
    static final char SEPARATOR = '\0';

    private CompositeKeys() {
    }

    static String of(String mapName, String key) {
        return mapName + SEPARATOR + key;
    }

    /** What every composite key of the map starts with. */
    static String prefix(String mapName) {
        return mapName + SEPARATOR;
    }

    /** The composite key with '/' for NUL, quoted, for messages. */
    static String printable(String compositeKey) {
        return "'" + compositeKey.replace(SEPARATOR, '/') + "'";
    }
}
