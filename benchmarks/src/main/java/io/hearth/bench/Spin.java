package io.hearth.bench;

/**
 * How both sides of a ping-pong wait: busy-spin first, which is the lowest latency when each
 * process has a core, then yield between checks, so that on an oversubscribed machine (2 shared
 * cores here) the waiter hands its core to the process it waits for instead of burning a whole
 * time slice. A round trip on an idle machine takes well under the spin phase.
 */
final class Spin {
    private static final int SPINS_BEFORE_YIELD = 2_000;
    /** Yields between checks that the other side is still alive; a dead echo would hang the benchmark. */
    private static final int CHECK_EVERY = (1 << 16) - 1;

    private Spin() {
    }

    static void pause(int spins, HelperProcess other) {
        if (spins < SPINS_BEFORE_YIELD) {
            Thread.onSpinWait();
            return;
        }
        Thread.yield();
        if (other != null && (spins & CHECK_EVERY) == 0) {
            other.checkAlive();
        }
    }
}
