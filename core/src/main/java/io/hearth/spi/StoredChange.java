package io.hearth.spi;

import io.hearth.Change;

/**
 * One change as a backend's change log holds it.
 *
 * @param version the version the change was made at
 * @param map     the map's name
 * @param key     the key, without the map's name
 * @param kind    {@link Change.Kind#WRITE}, {@link Change.Kind#REMOVAL} or {@link Change.Kind#EXPIRY}
 * @param json    the JSON written, UTF-8, for a write; null otherwise
 */
public record StoredChange(long version, String map, String key, Change.Kind kind, byte[] json) {
}
