package io.hearth.cli;

import io.hearth.CounterSnapshot;
import io.hearth.SharedCounter;
import io.hearth.SharedStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code hearth STORE counters}: every counter with its value. */
@Command(name = "counters", description = {
        "Every counter and its value.",
        "",
        "One a line, by name: NAME, VALUE and TTL_MS (what is left of its time to live; '-' when it has none), tab-separated. Creates no counter."})
final class CountersCommand extends StoreCommand {
    @Option(names = "--prefix", paramLabel = "P", description = "only the counters whose names start with P")
    String prefix = "";

    @Option(names = "--json", description = "a JSON array of {name, value[, ttl_ms]} instead")
    boolean json;

    @Override
    int run(SharedStore store) throws Exception {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (String name : store.counterNames()) {
            if (!name.startsWith(prefix)) {
                continue;
            }
            Optional<SharedCounter> counter = store.findCounter(name);
            CounterSnapshot snapshot = counter.isPresent() ? counter.get().snapshot() : null;
            if (snapshot == null) {
                continue; // removed or expired since it was listed
            }
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", name);
            row.put("value", snapshot.value());
            snapshot.timeToLive().map(Duration::toMillis).ifPresent(left -> row.put("ttl_ms", left));
            rows.add(row);
        }
        if (json) {
            out().println(Output.MAPPER.writeValueAsString(rows));
        } else {
            rows.forEach(row -> out().println(row.get("name") + "\t" + row.get("value") + "\t" + row.getOrDefault("ttl_ms", "-")));
        }
        return Exit.OK;
    }
}
