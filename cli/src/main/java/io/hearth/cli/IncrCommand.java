package io.hearth.cli;

import io.hearth.SharedCounter;
import io.hearth.SharedStore;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code hearth STORE incr COUNTER [BY]}: adds to a counter. */
@Command(name = "incr", description = {
        "Adds to a counter, and prints the new value.",
        "",
        "Adds BY (default 1; a negative number subtracts) to COUNTER, which is created at 0 when absent. Arithmetic wraps on overflow."})
final class IncrCommand extends StoreCommand {
    @Parameters(index = "0", paramLabel = "COUNTER")
    String name;

    @Parameters(index = "1", paramLabel = "BY", arity = "0..1", description = "a whole number, default 1")
    long by = 1;

    @Option(names = "--ttl", paramLabel = "DURATION", converter = Durations.class,
            description = "a counter this creates expires after DURATION (an existing one keeps its own expiry)")
    Duration timeToLive;

    @Override
    int run(SharedStore store) {
        SharedCounter counter = timeToLive == null ? store.counter(name) : store.counter(name, timeToLive);
        out().println(counter.addAndGet(by));
        return Exit.OK;
    }
}
