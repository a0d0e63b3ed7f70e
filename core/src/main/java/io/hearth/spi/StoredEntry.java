package io.hearth.spi;

/**
 * A map entry as a backend stores it.
 *
 * @param version   positive, unique in the store, higher for every later write (Hearth's own maps,
 *                  {@link StoreBackend#OWN_MAP_PREFIX}, may count theirs apart from the user's maps)
 * @param json      the value as UTF-8 JSON
 * @param expiresAt when the entry expires, epoch milliseconds; {@link StoreBackend#NO_EXPIRY} when never
 */
public record StoredEntry(long version, byte[] json, long expiresAt) {
}
