package io.hearth.cli;

import io.hearth.SharedStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code hearth STORE rm MAP KEY}: removes an entry. */
@Command(name = "rm", description = {
        "Removes an entry.",
        "",
        "Exit status 1 when there was no entry under KEY in MAP."})
final class RmCommand extends StoreCommand {
    @Parameters(index = "0", paramLabel = "MAP")
    String map;

    @Parameters(index = "1", paramLabel = "KEY")
    String key;

    @Override
    int run(SharedStore store) {
        if (store.map(map, RawJson.class).remove(key) == null) {
            throw new CliException(Exit.NO, "no entry '" + key + "' in map '" + map + "' of " + store.location());
        }
        return Exit.OK;
    }
}
