package io.hearth.spi;

/**
 * Turns for {@link io.hearth.SharedMap#update}, so that an update that keeps losing its
 * compare-and-write to faster writers of the same key gets in. The function runs outside any lock
 * and commits only if the entry still has the version it read: a process whose function is slower
 * (cold code, a slow function, less CPU) than another's loop on that key could lose every time.
 * After a few lost attempts it takes the key's turn; other updates of the keys sharing that turn,
 * in any process, wait before they read until it is released, for a bounded time. A turn is a hint
 * that makes waiting fair, never a lock: a write that does not wait is still correct, a turn lasts
 * a bounded time from when it was taken, and no wait lasts longer than that bound.
 */
public interface UpdateTurns {
    /** What {@link #take} returns when it did not get the turn. */
    long NO_TURN = 0;

    /** Turns that never wait and are never taken: for a backend without them. */
    UpdateTurns NONE = new UpdateTurns() {
        @Override
        public void awaitTurn(String map, String key) {
        }

        @Override
        public long take(String map, String key) {
            return NO_TURN;
        }

        @Override
        public boolean holds(String map, String key, long turn) {
            return false;
        }

        @Override
        public void release(String map, String key, long turn) {
        }
    };

    /**
     * Returns at once when nobody holds the turn of key (or this thread holds one), else once it is
     * released, or the bound has passed. Called before each attempt of an update that holds no turn.
     */
    void awaitTurn(String map, String key);

    /** Takes the turn of key when nobody holds it: the turn, to pass to {@link #release}, or {@link #NO_TURN}. */
    long take(String map, String key);

    /** Whether turn, which {@link #take} returned, is still the caller's: not outlived, not taken over. */
    boolean holds(String map, String key, long turn);

    /** Gives up a turn that {@link #take} returned; nothing for {@link #NO_TURN}, or one that has been taken over since. */
    void release(String map, String key, long turn);
}
