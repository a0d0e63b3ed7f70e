package io.hearth;

import java.time.Instant;

/**
 * One live process attached to a store.
 *
 * @param pid       its operating-system process id
 * @param since     when it attached
 * @param heartbeat when it last showed it was alive (every second while attached)
 */
public record WorkerInfo(long pid, Instant since, Instant heartbeat) {
}
