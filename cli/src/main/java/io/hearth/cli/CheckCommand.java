package io.hearth.cli;

import io.hearth.StoreCheck;
import java.io.PrintWriter;
import picocli.CommandLine.Command;

/** {@code hearth STORE check}: the file store's integrity check ({@link StoreCheck}). */
@Command(name = "check", description = {
        "Checks the file store's integrity.",
        "",
        "The full check of io.hearth.StoreCheck: header, counter table, broadcast ring, map locks, every entry and its checksum, the entry count. It attaches to nothing and repairs or creates nothing, so it shows what a crash left. Prints what it found; exit status 0 when the store is sound, 1 when it is not (a file that is not a store: one line on stderr). Run it on a quiet store: writes made meanwhile can show as a count mismatch. A file store only: Redis has no such check."})
final class CheckCommand extends Subcommand {

    @Override
    public Integer call() {
        Target target = hearth.target();
        if (!target.isFile()) {
            throw CliException.usage("check needs a file store; " + target + " is on Redis, which has no integrity check");
        }
        target.requireExistingFile();
        StoreCheck.Report report = StoreCheck.run(target.file());
        if (!report.sound() && report.entries() == 0 && report.counters() == 0) {
            // Nothing could be read (not a store, another format, unreadable): one line says why.
            throw new CliException(Exit.NO, report.problems().get(0)
                    + (report.problems().size() > 1 ? " (and " + (report.problems().size() - 1) + " more problems)" : ""));
        }
        PrintWriter out = out();
        out.println(report.location() + ": " + report.entries() + " entries, " + report.counters() + " counters, "
                + report.liveRecoveries() + " live recoveries");
        report.problems().forEach(problem -> out.println("PROBLEM " + problem));
        out.println(report.sound() ? "store is sound" : report.problems().size() + " problems");
        return report.sound() ? Exit.OK : Exit.NO;
    }
}
