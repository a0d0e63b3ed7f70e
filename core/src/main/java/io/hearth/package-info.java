/**
 * Hearth: counters, maps and broadcasts shared by every worker process that opens one store: a
 * memory-mapped file shared by the processes of one host with no server (module {@code file}), or
 * Redis for workers on several hosts (module {@code redis}). This package is the whole API; the
 * engines sit behind {@link io.hearth.spi} and are found by URI scheme.
 *
 * <h2>Priorities</h2>
 * Never lose an acknowledged update; then speed; then a small API.
 *
 * <h2>Thread and process safety</h2>
 * <ul>
 *   <li>Every public object ({@link io.hearth.SharedStore}, {@link io.hearth.SharedCounter},
 *       {@link io.hearth.SharedMap}, {@link io.hearth.Subscription}) is safe to share between the
 *       threads of a process, and any number of processes may open the same store at once.</li>
 *   <li>Every single-counter and single-key operation is atomic across threads and processes,
 *       and its effect is visible to every other process as soon as the call returns.</li>
 *   <li>On the file store, counters are single atomic instructions on the mapped file: they never
 *       wait for another process. Map calls hold a map lock (Hearth's, naming its owner, around
 *       Chronicle Map's segment lock) only for byte copies; a process killed while holding one
 *       delays others by about a millisecond plus the repair (see docs/GUARANTEES.md). On Redis
 *       every call is a round trip, atomic on the server. On both, user code
 *       ({@link io.hearth.SharedMap#update}'s function, Jackson, broadcast handlers) never runs
 *       under a lock shared with other processes.</li>
 *   <li>Listing a map and {@link io.hearth.SharedMap#clear()} are not atomic as a whole.</li>
 *   <li>All processes sharing a file store must see the same process ids (one PID namespace):
 *       live processes are told from dead ones by pid and start time, as the kernel reports them.</li>
 * </ul>
 *
 * <h2>Exceptions</h2>
 * Bad arguments throw {@link java.lang.IllegalArgumentException} naming the limit
 * ({@link io.hearth.ValueTooLargeException} for sizes); nothing is written. Everything else Hearth
 * throws is a {@link io.hearth.HearthException}: {@link io.hearth.StoreFullException},
 * {@link io.hearth.IncompatibleStoreException}, {@link io.hearth.MissingJvmOptionsException},
 * {@link io.hearth.StoreClosedException}, {@link io.hearth.StoreBusyException} (a lock held by a
 * process that is alive but stopped) and {@link io.hearth.StoreUnavailableException} (a store
 * server out of reach) are the ones a caller can act on. Messages carry the file, limit or value
 * involved; causes are kept.
 *
 * <h2>Network</h2>
 * The file store makes no network calls. Chronicle's analytics library is excluded from the
 * build, and {@code chronicle.analytics.disable=true} is set when a file store opens unless the
 * application set it. The Redis store talks only to the server its URI names.
 */
package io.hearth;
