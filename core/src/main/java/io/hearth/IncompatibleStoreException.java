package io.hearth;

/**
 * The file is not a Hearth store, or was written in a format version this Hearth does not read.
 * The file was not modified.
 */
public final class IncompatibleStoreException extends HearthException {
    private static final long serialVersionUID = 1L;

    public IncompatibleStoreException(String message) {
        super(message);
    }
}
