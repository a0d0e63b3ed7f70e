package io.hearth.cli;

import io.hearth.SharedStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code hearth STORE keys MAP}: a map's keys. */
@Command(name = "keys", description = {
        "Prints the keys of a map.",
        "",
        "Sorted, one a line; nothing for a map with no entries."})
final class KeysCommand extends StoreCommand {
    @Parameters(index = "0", paramLabel = "MAP")
    String map;

    @Option(names = "--prefix", paramLabel = "P", description = "only the keys that start with P")
    String prefix = "";

    @Option(names = "--limit", paramLabel = "N", description = "at most N keys, the first N in order")
    int limit = Integer.MAX_VALUE;

    @Override
    void prepare() {
        if (limit < 0) {
            throw CliException.usage("--limit must be 0 or more, not " + limit);
        }
    }

    @Override
    int run(SharedStore store) {
        store.map(map, RawJson.class).keys(prefix, limit).forEach(out()::println);
        return Exit.OK;
    }
}
