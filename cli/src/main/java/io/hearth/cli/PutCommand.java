package io.hearth.cli;

import io.hearth.SharedMap;
import io.hearth.SharedStore;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code hearth STORE put MAP KEY JSON}: writes an entry. */
@Command(name = "put", description = {
        "Writes an entry, and prints its version.",
        "",
        "Stores the JSON value under KEY in MAP, replacing what was there and its expiry (as Redis's SET). The value is read before the store is opened: JSON that does not read changes nothing (exit status 2)."})
final class PutCommand extends StoreCommand {
    @Parameters(index = "0", paramLabel = "MAP")
    String map;

    @Parameters(index = "1", paramLabel = "KEY")
    String key;

    @Parameters(index = "2", paramLabel = "JSON", description = "one JSON value, such as '{\"name\":\"Ada\"}', '42' or '\"text\"'; '-' for stdin")
    String json;

    @Option(names = "--ttl", paramLabel = "DURATION", converter = Durations.class,
            description = "the entry expires after DURATION (500ms, 30s, 15m, 2h, 7d; a bare number is seconds)")
    Duration timeToLive;

    private RawJson value;

    @Override
    void prepare() throws Exception {
        try {
            value = RawJson.parse(textOrStdin(json));
        } catch (IllegalArgumentException e) {
            throw CliException.usage("the value for key '" + key + "' is " + e.getMessage());
        }
    }

    @Override
    int run(SharedStore store) {
        SharedMap<RawJson> entries = store.map(map, RawJson.class);
        long version = timeToLive == null ? entries.put(key, value) : entries.put(key, value, timeToLive);
        out().println(version);
        return Exit.OK;
    }
}
