package io.hearth.cli;

import io.hearth.BroadcastResult;
import io.hearth.SharedStore;
import io.hearth.WorkerInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code hearth STORE broadcast TOPIC PAYLOAD}: a message to every worker. */
@Command(name = "broadcast", description = {
        "Sends a message to every worker.",
        "",
        "Sends PAYLOAD (any text) on TOPIC to every live process attached to the store, waits for each to acknowledge it, and prints {\"topic\",\"sequence\",\"acked\",\"missing\"} (pids; this command's own process left out). Exit status 1 when a live worker had not acknowledged it when the wait ended."})
final class BroadcastCommand extends StoreCommand {
    @Parameters(index = "0", paramLabel = "TOPIC")
    String topic;

    @Parameters(index = "1", paramLabel = "PAYLOAD")
    String payload;

    @Option(names = "--wait", paramLabel = "DURATION", converter = Wait.class,
            description = "how long to wait for acknowledgements (default 2s; 0: not at all; at most 1h)")
    Duration wait = Duration.ofSeconds(2);

    private String text;

    @Override
    void prepare() throws Exception {
        text = textOrStdin(payload);
    }

    @Override
    int run(SharedStore store) throws Exception {
        BroadcastResult result = store.broadcast(topic, text, wait);
        List<Long> acked = new ArrayList<>(result.acked());
        acked.remove(Long.valueOf(ProcessHandle.current().pid())); // once, as others() drops this process
        Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("topic", result.topic());
        reply.put("sequence", result.sequence());
        reply.put("acked", acked);
        reply.put("missing", result.missing());
        out().println(Output.MAPPER.writeValueAsString(reply));
        if (!result.complete()) {
            List<Long> live = others(store.workers()).stream().map(WorkerInfo::pid).toList();
            throw new CliException(Exit.NO, result.missing().size() + " of " + live.size() + " live workers had not acknowledged"
                    + " broadcast " + result.sequence() + " within " + wait.toMillis() + " ms: " + result.missing());
        }
        return Exit.OK;
    }

    /** A duration as {@link Durations} reads it, or 0. */
    static final class Wait implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String text) {
            return "0".equals(text) ? Duration.ZERO : Durations.parse(text);
        }
    }
}
