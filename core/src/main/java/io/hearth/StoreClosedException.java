package io.hearth;

/** The store, or the object obtained from it, was used after {@link SharedStore#close()}. */
public final class StoreClosedException extends HearthException {
    private static final long serialVersionUID = 1L;

    public StoreClosedException(String message) {
        super(message);
    }
}
