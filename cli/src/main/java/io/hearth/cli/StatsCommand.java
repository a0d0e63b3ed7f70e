package io.hearth.cli;

import io.hearth.SharedStore;
import io.hearth.StoreStats;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code hearth STORE stats}: how full the store is and its limits. */
@Command(name = "stats", description = {
        "How full the store is, and the limits it was created with.",
        "",
        "One 'name: value' a line ('unlimited' where only the disk, or Redis's memory, limits it); workers leaves out this command's own process."})
final class StatsCommand extends StoreCommand {
    @Option(names = "--json", description = "one JSON object instead (null for unlimited)")
    boolean json;

    @Override
    int run(SharedStore store) throws Exception {
        StoreStats stats = store.stats();
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("location", store.location());
        fields.put("backend", store.isMemoryMapped() ? "file" : "redis");
        fields.put("entries", stats.entries());
        fields.put("capacity", stats.capacity() == Long.MAX_VALUE ? null : stats.capacity());
        fields.put("counters", stats.counters());
        fields.put("counter_capacity", stats.counterCapacity() == Integer.MAX_VALUE ? null : stats.counterCapacity());
        fields.put("workers", others(store.workers()).size());
        fields.put("worker_capacity", stats.workerCapacity() == Integer.MAX_VALUE ? null : stats.workerCapacity());
        if (store.isMemoryMapped()) {
            fields.put("file_bytes", stats.fileBytes());
            fields.put("growths", stats.growths());
            fields.put("shards", stats.generation());
        }
        fields.put("max_key_bytes", stats.maxKeyBytes());
        fields.put("max_value_bytes", stats.maxValueBytes());
        fields.put("max_broadcast_bytes", stats.maxBroadcastBytes());
        if (json) {
            out().println(Output.MAPPER.writeValueAsString(fields));
        } else {
            fields.forEach((name, value) -> out().println(name + ": " + (value == null ? "unlimited" : value)));
        }
        return Exit.OK;
    }
}
