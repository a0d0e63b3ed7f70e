package io.hearth.cli;

import io.hearth.EntrySnapshot;
import io.hearth.SharedStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code hearth STORE get MAP KEY}: an entry's value. */
@Command(name = "get", description = {
        "Prints the JSON value of an entry.",
        "",
        "The value under KEY in MAP, compact, on one line, its numbers exactly as stored. Exit status 1, and nothing on stdout, when there is no such entry."})
final class GetCommand extends StoreCommand {
    @Parameters(index = "0", paramLabel = "MAP")
    String map;

    @Parameters(index = "1", paramLabel = "KEY")
    String key;

    @Option(names = "--meta", description = "print the entry as a dump line instead: {\"map\",\"key\",\"version\",\"value\"[,\"ttl_ms\"]}")
    boolean meta;

    @Override
    int run(SharedStore store) {
        EntrySnapshot<RawJson> entry = store.map(map, RawJson.class).snapshot(key);
        String line = entry == null ? null : meta ? DumpFormat.entryLine(entry, System.currentTimeMillis()) : entry.value().text();
        if (line == null) {
            throw new CliException(Exit.NO, "no entry '" + key + "' in map '" + map + "' of " + store.location());
        }
        out().println(line);
        return Exit.OK;
    }
}
