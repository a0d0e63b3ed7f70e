package io.hearth;

/**
 * A map value with the version it was written at. Versions are positive, unique within a store
 * and grow with every write, so a version seen once never comes back for the same key, even
 * after the key is removed and written again.
 *
 * @param value   the value, never null
 * @param version the version of the write that stored it
 */
public record Versioned<V>(V value, long version) {
}
