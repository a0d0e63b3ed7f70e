package io.hearth.cli;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Runs the hearth command in this JVM, through picocli, as main would: stdin given, stdout and stderr caught. */
final class Cli {
    /** What one run did. */
    record Result(int status, String out, String err) {
        /** Stdout's lines. */
        List<String> lines() {
            return out.lines().toList();
        }

        @Override
        public String toString() {
            return "status " + status + ", stdout [" + out + "], stderr [" + err + "]";
        }
    }

    private Cli() {
    }

    static Result run(String... args) {
        return runWithInput("", args);
    }

    static Result runWithInput(String stdin, String... args) {
        return runWithInput(stdin.getBytes(StandardCharsets.UTF_8), args);
    }

    static Result runWithInput(byte[] stdin, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status;
        try (PrintWriter outWriter = new PrintWriter(out); PrintWriter errWriter = new PrintWriter(err)) {
            status = HearthCommand.run(new ByteArrayInputStream(stdin), outWriter, errWriter, args);
        }
        return new Result(status, out.toString(), err.toString());
    }
}
