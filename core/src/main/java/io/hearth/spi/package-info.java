/**
 * For backend implementers only: what a store engine provides so that {@link io.hearth.SharedStore}
 * can run on it. Applications never call these types.
 *
 * <p>A backend stores bytes; {@code SharedStore} does everything else once, for every backend:
 * argument checks, JSON, the compare-and-set retry loop of {@code update}, and dispatch of
 * broadcasts to subscribers. A backend is found by URI scheme through
 * {@link java.util.ServiceLoader} of {@link io.hearth.spi.StoreBackendProvider}.
 *
 * <p>Every method must be safe to call from any thread, atomic for one key or counter across
 * every process using the same store, and visible to all of them when it returns.
 */
package io.hearth.spi;
