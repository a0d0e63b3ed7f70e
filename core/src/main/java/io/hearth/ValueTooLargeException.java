package io.hearth;

/**
 * A value or broadcast payload is over the store's size limit; nothing was written. An
 * {@link IllegalArgumentException} like every bad argument, with the sizes as fields so that a
 * caller (an HTTP layer answering 413, say) need not read the message.
 */
public final class ValueTooLargeException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final long bytes;
    private final long limit;

    public ValueTooLargeException(String what, long bytes, long limit, String limitName) {
        super(what + " is " + bytes + " bytes, over the limit of " + limit + " bytes (" + limitName + ")");
        this.bytes = bytes;
        this.limit = limit;
    }

    /** The size that was refused, in bytes. */
    public long bytes() {
        return bytes;
    }

    /** The limit, in bytes. */
    public long limit() {
        return limit;
    }
}
