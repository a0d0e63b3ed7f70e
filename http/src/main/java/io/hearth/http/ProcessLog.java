package io.hearth.http;

import java.io.PrintStream;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Log lines of a supervisor or worker process, each carrying its role and pid, so the lines of
 * N workers sharing one terminal can be told apart. Written straight to stderr, because
 * java.util.logging drops lines once shutdown has begun, which is when the lines that matter
 * most (stopping, stopped) are written.
 */
final class ProcessLog {
    private final String tag;
    private final PrintStream out;

    ProcessLog(String role) {
        this.tag = "[" + role + " " + ProcessHandle.current().pid() + "]";
        this.out = System.err;
    }

    void info(String message) {
        line("INFO", message);
    }

    void warn(String message) {
        line("WARN", message);
    }

    void error(String message) {
        line("ERROR", message);
    }

    private void line(String level, String message) {
        out.println(Instant.now().truncatedTo(ChronoUnit.MILLIS) + " " + tag + " " + level + " " + message);
    }

    /** Gives java.util.logging's console lines (Undertow's, Hearth core's) the same role and pid. */
    void formatJavaLogging() {
        Formatter formatter = new Formatter() {
            @Override
            public String format(LogRecord record) {
                String text = Instant.ofEpochMilli(record.getMillis()) + " " + tag + " " + record.getLevel() + " "
                        + record.getLoggerName() + ": " + formatMessage(record) + System.lineSeparator();
                if (record.getThrown() != null) {
                    var trace = new java.io.StringWriter();
                    record.getThrown().printStackTrace(new java.io.PrintWriter(trace));
                    text += trace;
                }
                return text;
            }
        };
        for (Handler handler : Logger.getLogger("").getHandlers()) {
            handler.setFormatter(formatter);
        }
    }
}
