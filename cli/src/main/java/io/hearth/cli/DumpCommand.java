package io.hearth.cli;

import io.hearth.EntrySnapshot;
import io.hearth.SharedCounter;
import io.hearth.SharedMap;
import io.hearth.SharedStore;
import java.io.PrintWriter;
import java.util.Optional;
import picocli.CommandLine.Command;

/** {@code hearth STORE dump}: every entry and counter as JSON Lines. */
@Command(name = "dump", description = {
        "Writes every entry and counter as JSON Lines.",
        "",
        "To stdout: every map entry, maps and keys sorted, then every counter, sorted:",
        "  {\"map\":\"users\",\"key\":\"ada\",\"version\":7,\"value\":{\"name\":\"Ada\"}}",
        "  {\"map\":\"sessions\",\"key\":\"s-42\",\"version\":9,\"value\":{},\"ttl_ms\":1799850}",
        "  {\"counter\":\"hits\",\"value\":42}",
        "Each line is one read of its entry or counter, so value, version and time to live belong together; the dump as a whole is not one instant's: what is written meanwhile may or may not be in it. ttl_ms is what was left of the time to live when the line was written; what had expired by then is left out, as are Hearth's own maps (of locks and leaderships). 'load' reads it back into any store."})
final class DumpCommand extends StoreCommand {
    @Override
    int run(SharedStore store) {
        PrintWriter out = out();
        long lines = 0;
        for (String name : store.mapNames()) {
            SharedMap<RawJson> map = store.map(name, RawJson.class);
            for (String key : map.keys()) {
                EntrySnapshot<RawJson> entry = map.snapshot(key);
                String line = entry == null ? null : DumpFormat.entryLine(entry, System.currentTimeMillis());
                if (line != null) { // null: removed or expired since it was listed
                    lines = written(out, line, lines);
                }
            }
        }
        for (String name : store.counterNames()) {
            Optional<SharedCounter> counter = store.findCounter(name);
            var snapshot = counter.isPresent() ? counter.get().snapshot() : null;
            String line = snapshot == null ? null : DumpFormat.counterLine(snapshot, System.currentTimeMillis());
            if (line != null) {
                lines = written(out, line, lines);
            }
        }
        out.flush();
        if (out.checkError()) {
            throw CliException.store("stdout was closed or failed: the dump is incomplete");
        }
        return Exit.OK;
    }

    /** Writes the line; stops the dump when stdout has failed (a reader that went away), checked every 1024 lines. */
    private static long written(PrintWriter out, String line, long before) {
        out.println(line);
        if ((before + 1) % 1024 == 0 && out.checkError()) {
            throw CliException.store("stdout was closed or failed after " + (before + 1) + " lines: the dump is incomplete");
        }
        return before + 1;
    }
}
