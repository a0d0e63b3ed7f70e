package io.hearth;

/**
 * The store has no room for another entry or counter. Nothing was written and everything
 * already stored is intact; remove entries, or reopen on a new file with a larger capacity.
 */
public final class StoreFullException extends HearthException {
    private static final long serialVersionUID = 1L;

    public StoreFullException(String message) {
        super(message);
    }

    public StoreFullException(String message, Throwable cause) {
        super(message, cause);
    }
}
