package io.hearth.file;

/**
 * Thrown inside a write, holding a stripe, on finding that another stripe's holder has died while
 * the write waits for something that holder may hold (the tier allocation lock): the write lets go
 * of its stripe, lets the repair run, and starts again. Nothing of the write has been done yet.
 */
final class HolderDiedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    HolderDiedException() {
        super("a process died holding a map lock stripe", null, false, false);
    }
}
