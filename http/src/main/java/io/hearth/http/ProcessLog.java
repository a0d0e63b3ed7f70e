package io.hearth.http;

import java.io.PrintStream;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.logging.Formatter;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Log lines of a supervisor or worker process, each carrying its role and pid, so the lines of
 * N workers sharing one terminal can be told apart. Written straight to stderr, because
 * java.util.logging drops lines once shutdown has begun, which is when the lines that matter
 * most (stopping, stopped) are written.
 */
final class ProcessLog {
    /**
     * Libraries whose start-up lines say only their version or that a server started (Undertow's
     * warm-up starts, stops and starts one): they log warnings and errors only.
     */
    private static final List<String> QUIET_BELOW_WARNINGS = List.of("org.xnio", "org.jboss.threads", "io.undertow",
            "net.openhft.chronicle.core.Jvm");

    private final String tag;
    private final PrintStream out;
    /** Held, because java.util.logging keeps its loggers only weakly, and with them their levels. */
    private final List<Logger> quieted = QUIET_BELOW_WARNINGS.stream().map(Logger::getLogger).toList();

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

    /**
     * Gives java.util.logging's console lines (Undertow's, Chronicle's, Hearth core's) the same
     * role, pid and level words as this log's own, and keeps the libraries' start-up lines out.
     */
    void formatJavaLogging() {
        quieted.forEach(logger -> logger.setLevel(Level.WARNING));
        Formatter formatter = new Formatter() {
            @Override
            public String format(LogRecord record) {
                String text = Instant.ofEpochMilli(record.getMillis()) + " " + tag + " " + levelWord(record.getLevel()) + " "
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

    /** java.util.logging's levels in this log's words: ERROR, WARN, INFO, DEBUG. */
    static String levelWord(Level level) {
        int value = level.intValue();
        if (value >= Level.SEVERE.intValue()) {
            return "ERROR";
        }
        if (value >= Level.WARNING.intValue()) {
            return "WARN";
        }
        return value >= Level.INFO.intValue() ? "INFO" : "DEBUG";
    }
}
