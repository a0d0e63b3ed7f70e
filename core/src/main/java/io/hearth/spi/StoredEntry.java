package io.hearth.spi;

/**
 * A map entry as a backend stores it.
 *
 * @param version positive, unique in the store, higher for every later write
 * @param json    the value as UTF-8 JSON
 */
public record StoredEntry(long version, byte[] json) {
}
