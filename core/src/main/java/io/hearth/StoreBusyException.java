package io.hearth;

/**
 * A call waited too long for a lock of the store that another process holds while it is alive
 * but not running (stopped with SIGSTOP, paused in a debugger). The call did nothing, and retrying
 * later is safe: it succeeds once that process runs again, or dies and its lock is taken over. The
 * message names the process and the store file.
 */
public final class StoreBusyException extends HearthException {
    private static final long serialVersionUID = 1L;

    public StoreBusyException(String message) {
        super(message);
    }

    public StoreBusyException(String message, Throwable cause) {
        super(message, cause);
    }
}
