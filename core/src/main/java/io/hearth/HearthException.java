package io.hearth;

/**
 * Root of every exception Hearth throws on its own account. Unchecked; messages carry the
 * file, limit or value involved, and the cause is always kept.
 *
 * <p>Invalid arguments (null, empty or oversized names, keys and values) are reported with
 * {@link IllegalArgumentException} instead, as the JDK does.
 */
public class HearthException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public HearthException(String message) {
        super(message);
    }

    public HearthException(String message, Throwable cause) {
        super(message, cause);
    }
}
