package io.hearth.cli;

/** A command that cannot go on: its message is the one line on stderr, its code the exit status ({@link Exit}). */
final class CliException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int exitCode;

    CliException(int exitCode, String message) {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }

    /** A wrong command line or input (exit 2): nothing was changed. */
    static CliException usage(String message) {
        return new CliException(Exit.USAGE, message);
    }

    /** The store could not be opened or used (exit 3). */
    static CliException store(String message) {
        return new CliException(Exit.STORE, message);
    }
}
