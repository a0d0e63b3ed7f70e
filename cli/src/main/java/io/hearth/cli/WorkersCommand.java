package io.hearth.cli;

import io.hearth.SharedStore;
import io.hearth.WorkerInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code hearth STORE workers}: the live processes attached to the store. */
@Command(name = "workers", description = {
        "The live processes attached to the store.",
        "",
        "One a line, by pid: PID, SINCE and HEARTBEAT (ISO-8601 instants), tab-separated; this command's own process is left out."})
final class WorkersCommand extends StoreCommand {
    @Option(names = "--json", description = "a JSON array of {pid, since, heartbeat} instead")
    boolean json;

    @Override
    int run(SharedStore store) throws Exception {
        List<WorkerInfo> workers = new ArrayList<>(others(store.workers()));
        workers.sort(Comparator.comparingLong(WorkerInfo::pid));
        if (json) {
            List<Map<String, Object>> rows = new ArrayList<>();
            for (WorkerInfo worker : workers) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("pid", worker.pid());
                row.put("since", worker.since().toString());
                row.put("heartbeat", worker.heartbeat().toString());
                rows.add(row);
            }
            out().println(Output.MAPPER.writeValueAsString(rows));
        } else {
            workers.forEach(worker -> out().println(worker.pid() + "\t" + worker.since() + "\t" + worker.heartbeat()));
        }
        return Exit.OK;
    }
}
