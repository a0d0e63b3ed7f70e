package io.hearth;

/**
 * The store's server could not be reached, or did not answer in time. The call may or may not have
 * taken effect; the store recovers by itself once the server answers again, so retrying later is
 * safe for idempotent calls. The message names the host, port and timeouts.
 */
public final class StoreUnavailableException extends HearthException {
    private static final long serialVersionUID = 1L;

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
