package io.hearth.cli;

/** The exit statuses of {@code hearth}, for scripts; {@code hearth --help} lists them too. */
final class Exit {
    /** Done. */
    static final int OK = 0;
    /** The answer is no: no such entry or counter, a check that found problems, a broadcast not every worker acknowledged. */
    static final int NO = 1;
    /** The command line or its input is wrong (unknown command or option, bad argument, JSON that does not read, a bad load line): nothing was changed. */
    static final int USAGE = 2;
    /** The store could not be opened or used (no store at the path, not a store, Redis unreachable, store full), or a load stopped partway (stderr says how far). */
    static final int STORE = 3;

    private Exit() {
    }
}
